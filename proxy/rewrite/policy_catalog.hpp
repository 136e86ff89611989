#pragma once
// What the rewriter knows about one masking policy: which base tables have
// tagged columns, which generated view stands for each, and which columns of
// the base table the policy's backend role may not read. Loaded by the user
// directory from gdpr.policies, gdpr.masked_views and gdpr.policy_columns and
// shared read-only by every session of the policy.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gdpr::proxy::rewrite {

struct MaskedTable {
  std::string base_schema;
  std::string base_table;
  std::string view_schema;
  std::string view_name;
  // Tagged columns: the backend role has no SELECT on them in the base table.
  std::set<std::string> tagged_columns;
};

struct PolicyCatalog {
  std::string name;
  // False for policies that keep every column (supervisor, dpo): statements
  // pass unchanged, only the session rules (role, actor, ...) apply.
  bool masked = true;
  // Changes whenever the catalog is reloaded; part of the rewrite cache key.
  std::uint64_t generation = 0;
  std::vector<MaskedTable> tables;

  // The tagged table a relation name refers to. Unqualified names match a
  // table of that name in any schema; `ambiguous` is set when several do.
  const MaskedTable* find(const std::optional<std::string>& schema, const std::string& name,
                          bool* ambiguous = nullptr) const;
};

}  // namespace gdpr::proxy::rewrite
