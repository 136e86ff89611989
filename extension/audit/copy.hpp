// COPY of a tagged table, made observable to the audit. COPY table TO/FROM
// moves rows without the executor's scan nodes, so the ProcessUtility hook
// rewrites the statement (a copy of it; the parse tree stays untouched) into
// forms whose rows pass where capture already looks:
//
//   COPY t [(cols)] TO ...    becomes  COPY (SELECT cols FROM ONLY t) TO ...,
//     exactly what PostgreSQL itself runs for a table with row-level security.
//     Its query is audited by the executor hooks like any SELECT (the scan's
//     keys), under the operation "COPY TO" and the COPY's query id. Parallel
//     plans are disabled for it, so rows leave in the table's order, as
//     before, and the event is one.
//   COPY t [(cols)] FROM ... [WHERE c]  gets  WHERE c AND gdpr_public.audit_copy_row(key columns),
//     a function that records the key of each row COPY is about to insert
//     (defaults filled in, so generated ids are seen too) and returns true.
//
// What cannot be rewritten (no primary key, a partitioned table or a
// column list PostgreSQL will refuse for COPY TO) is recorded as before:
// relation, columns and row count, without keys.
#pragma once

#include <cstdint>
#include <memory>

#include "audit/capture.hpp"

extern "C" {
struct PlannedStmt;
}

namespace gdpr::audit {

struct CopyPlan {
  PlannedStmt* planned = nullptr;  // what to run: the statement, or the rewritten copy of it
  // The utility's own event (COPY FROM, or a COPY TO that was not rewritten);
  // nullptr when the rewritten query's event comes from the executor hooks.
  std::unique_ptr<StatementCapture> capture;
  bool keys_from_where = false;  // COPY FROM: gdpr_public.audit_copy_row() records the keys
  Oid copy_to_relation = 0;      // COPY TO rewritten: the table its query reads
};

// nullopt-like: planned unchanged and no capture when the COPY concerns no
// tagged table. Throws gdpr::PgError.
CopyPlan plan_copy(PlannedStmt* planned, int nesting_level);

// While a rewritten COPY TO runs: its query's relation, nesting level and the
// COPY's query id, so that plan_capture names the event "COPY TO".
struct CopyToMarker {
  Oid relation = 0;
  int nesting_level = -1;
  int64_t query_id = 0;
};
const CopyToMarker* active_copy_to() noexcept;

// Scopes for the duration of one COPY (nesting restores the outer one).
class CopyToScope {
 public:
  CopyToScope(Oid relation, int nesting_level, int64_t query_id) noexcept;
  ~CopyToScope();
  CopyToScope(const CopyToScope&) = delete;
  CopyToScope& operator=(const CopyToScope&) = delete;

 private:
  CopyToMarker marker_;
  const CopyToMarker* outer_;
};

class CopyFromScope {
 public:
  explicit CopyFromScope(RelationCapture* relation) noexcept;
  ~CopyFromScope();
  CopyFromScope(const CopyFromScope&) = delete;
  CopyFromScope& operator=(const CopyFromScope&) = delete;

 private:
  RelationCapture* outer_;
};

}  // namespace gdpr::audit
