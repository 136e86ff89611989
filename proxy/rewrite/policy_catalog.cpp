#include "rewrite/policy_catalog.hpp"

namespace gdpr::proxy::rewrite {

const MaskedTable* PolicyCatalog::find(const std::optional<std::string>& schema, const std::string& name,
                                       bool* ambiguous) const {
  const MaskedTable* found = nullptr;
  if (ambiguous) *ambiguous = false;
  for (const auto& table : tables) {
    if (table.base_table != name) continue;
    if (schema) {
      if (table.base_schema == *schema) return &table;
      continue;
    }
    if (found) {
      if (ambiguous) *ambiguous = true;
      return found;
    }
    found = &table;
  }
  return found;
}

}  // namespace gdpr::proxy::rewrite
