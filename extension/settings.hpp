// The extension's GUC values, defined in module.cpp.
#pragma once

namespace gdpr::settings {
extern bool audit_enabled;
extern char* default_phone_region;  // ISO 3166 two-letter region, e.g. "SK"
extern char* actor;                 // "" when not set: the session user acts
extern char* key_file;              // path of the extension's secret (keys/keys.hpp)
}  // namespace gdpr::settings
