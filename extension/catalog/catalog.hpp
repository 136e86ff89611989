// The personal-data catalog as the rest of the extension sees it: which
// columns of which relations hold personal data, of what kind, and how the
// table is erased and retained. Backed by the `gdpr` security labels
// (pg_seclabel) and served from a backend-local cache that relcache
// invalidation keeps current, so hot paths (audit, masking) never run SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/pg_fwd.hpp"

namespace gdpr::catalog {

enum class Category {
  email,
  phone,
  name,
  address,
  ip_address,
  national_id,
  payment,
  birth_date,
  identifier,
  free_text,
  recording,
  special,  // GDPR art. 9
};

std::string_view category_name(Category category) noexcept;
std::optional<Category> parse_category(std::string_view text) noexcept;

struct ColumnTag {
  int16_t attnum;
  std::string column_name;
  Category category;
  bool subject;  // identifies the data subject; searched by equality
  std::string purpose;
  std::string basis;
};

enum class EraseMode { delete_rows, anonymize };

struct TableTags {
  Oid relid;
  std::vector<ColumnTag> columns;  // ordered by attnum
  EraseMode erase = EraseMode::delete_rows;
  std::string retention;         // interval text as labelled; empty = no retention
  int16_t retention_attnum = 0;  // 0 = none
};

// Tags of a relation, from the backend-local cache (loaded on first use,
// dropped on relcache invalidation). nullptr when the relation has no tagged
// column. Call inside a transaction. May throw gdpr::PgError, or gdpr::Error
// (22000) for a stored label that does not parse (fail closed). The pointer is
// valid until the next invalidation is processed (do not keep it across
// statements or calls that may accept invalidation messages).
const TableTags* lookup(Oid relid);

// Every relation of the current database with at least one tagged column.
std::vector<Oid> tagged_relations();

// Bumped in this backend whenever any tag it has seen changes; lets other
// rooms cache state derived from the catalog.
uint64_t version() noexcept;

// Registers the `gdpr` label provider, the relcache invalidation callback of
// the cache and the DDL hook that keeps table labels in step with the schema.
// Once per backend, from _PG_init (catalog/init.cpp).
void init_catalog();

}  // namespace gdpr::catalog
