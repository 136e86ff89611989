// gdpr.audit_log's signed columns in one place: their order and types, how
// an Event becomes a row, and the canonical text the chain signs. The writer
// signs the values it inserts and the verifier re-reads the stored values
// through the same functions, so both see byte-identical text.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/event.hpp"
#include "pg/pg_fwd.hpp"

extern "C" {
struct MemoryContextData;
typedef struct MemoryContextData* MemoryContext;
}

namespace gdpr::audit::log_row {

// The values most events of a batch share (who, from where, which relation
// and columns), built once per batch instead of once per event. The datums
// live in the memory context that was current when the cache was created,
// and the cache must not outlive it.
class ValueCache {
 public:
  // The columns whose values are cached; each remembers its last value too,
  // which most events of a batch repeat (no hashing then).
  enum Field {
    kActor,
    kDbRole,
    kClientAddr,
    kApplication,
    kOperation,
    kRelationName,
    kOutcome,
    kColumns,
    kKeyColumns,
    kFields
  };
  ValueCache();
  // Each throws gdpr::PgError.
  Datum text(Field field, const std::string& value);
  Datum text_array(Field field, const std::vector<std::string>& items);
  Datum inet(const std::string& address);

 private:
  struct Last {
    bool valid = false;
    std::string text;
    std::vector<std::string> items;
    Datum datum = 0;
  };
  // The Datum cached under `key` in `map`, or make() run in the cache's
  // memory context (under pg::guard) and remembered.
  template <typename Make>
  Datum find_or_make(std::unordered_map<std::string, Datum>& map, const std::string& key, Make make);

  MemoryContext memory_;
  Last last_[kFields];
  std::unordered_map<std::string, Datum> texts_, arrays_, inets_;
  std::string key_;  // reused to build array keys
};

// Number of signed columns; the mac column follows them in INSERTs.
inline constexpr int kSignedColumns = 22;

// "id, at, actor, ..." in signing order (for SELECT and INSERT lists).
const char* column_list();
// The column types, for SPI_prepare.
const Oid* column_types();

// The writer's path: the row as datums and the canonical encoding of its
// signed columns (canonical_encoding() of their canonical text). The text
// is computed from the Event in C++ where the canonical form is known
// (numbers, text, simple arrays, IPv4, integer row keys and ranges, which
// capture already writes in jsonb's and int8multirange's output form), and
// through PostgreSQL's output functions otherwise; the datums are built
// directly (integer keys become jsonb and int8multirange values without
// their input parsers), shared ones through `cache`, the others palloc'd in
// the current memory context. Equal, by construction and by the regression
// tests' gdpr_audit_verify(), to canonical() of the stored row. May throw
// gdpr::PgError.
void to_row(int64_t id, int64_t logged_at, const Event& event, ValueCache& cache, Datum* values, bool* nulls,
            std::string& canonical);

// The canonical text of each column of a row given as datums in
// column_list() order (nullopt = NULL), and their signed encoding.
std::vector<std::optional<std::string>> canonical_fields(const Datum* values, const bool* nulls);
std::string canonical(const Datum* values, const bool* nulls);

}  // namespace gdpr::audit::log_row
