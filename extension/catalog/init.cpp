// Start-up of the catalog room, called from _PG_init.
#include "catalog/cache.hpp"
#include "catalog/catalog.hpp"
#include "catalog/label_provider.hpp"

namespace gdpr::catalog {

void init_catalog() {
  register_label_provider();
  cache::register_invalidation_callback();
  install_schema_follow_hook();
}

}  // namespace gdpr::catalog
