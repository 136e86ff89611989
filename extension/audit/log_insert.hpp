// The audit writer's insert path: signed events go straight into the batch's
// partition of gdpr.audit_log the way COPY FROM stores rows (heap
// multi-insert, then each index), without an SQL statement, arrays to unnest
// or values to parse. A batch's events share one logged_at, so they share one
// partition, which the writer names (gdpr._audit_ensure_partition).
//
// What INSERT would check is checked here too: the target is a partition of
// the log that accepts the batch's logged_at (its partition constraint, once
// per batch), NOT NULL constraints (per row) and the unique primary key (by
// the index). Triggers and rules on the log are not fired: nothing may
// change what the writer stores (logical decoding still sees every row).
#pragma once

#include <memory>

#include "audit/log_row.hpp"
#include "pg/pg_fwd.hpp"

extern "C" {
struct MemoryContextData;
typedef struct MemoryContextData* MemoryContext;
}

namespace gdpr::audit {

class LogInserter {
 public:
  // Columns of a row: log_row::column_list() order, then mac.
  static constexpr int kColumns = log_row::kSignedColumns + 1;

  // Opens `partition` of `log` for inserting. Inside a transaction; the
  // relations are closed by finish() or, on an error, by the transaction's
  // abort. Throws gdpr::PgError, or gdpr::Error when `partition` is not a
  // partition of `log` or lacks one of the log's columns.
  LogInserter(Oid log, Oid partition);
  ~LogInserter();
  LogInserter(const LogInserter&) = delete;
  LogInserter& operator=(const LogInserter&) = delete;

  // Where the next row's datums are to be allocated: it is reset once the
  // rows buffered so far are written.
  MemoryContext row_memory() const noexcept;
  // Buffers one row (datums in row_memory()); writes the buffer when full.
  void add(const Datum* values, const bool* nulls);
  // Writes what is buffered and closes the relations.
  void finish();

 private:
  void flush();
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gdpr::audit
