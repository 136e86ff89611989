// Registration of the `gdpr` security-label provider (label_provider.cpp) and
// of the DDL hook that keeps table labels in step with the schema
// (schema_follow.cpp). Both are called once per backend from init_catalog().
#pragma once

namespace gdpr::catalog {

void register_label_provider();
void install_schema_follow_hook();

}  // namespace gdpr::catalog
