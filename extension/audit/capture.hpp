// What the executor hooks keep about one running statement: per audited
// relation, the operation, the tagged columns it touches, and the keys and
// count of the rows it reads or changes. Built at ExecutorStart from the
// plan's range table (never from SQL text), filled while the plan runs, and
// turned into audit events when the statement's executor memory goes away
// (normal end, error, or rollback alike).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/event.hpp"
#include "audit/row_keys.hpp"
#include "pg/pg_fwd.hpp"

extern "C" {
struct QueryDesc;
struct PlanState;
struct TupleTableSlot;
struct EState;
struct ExprState;
struct ExprContext;
}

namespace gdpr::audit {

// What the catalog says about an audited relation: its name and primary key.
// Looked up once per backend and shared, immutable, by the statements that
// touch the relation (capture_plan.cpp keeps the cache).
struct RelationFacts {
  std::string relation_name;         // schema-qualified, quoted as needed
  std::vector<int16_t> key_attnums;  // primary key, empty when none
  std::vector<std::string> key_names;
  std::vector<Oid> key_types;
  std::vector<Oid> key_output_functions;
  bool integer_key = false;  // single int2/int4/int8 column
};

struct RelationCapture {
  Oid relid = 0;
  int operation = 0;                // CmdType
  const char* operation_name = "";  // a string literal
  bool masked = false;
  std::vector<std::string> columns;  // tagged columns touched
  bool reads_personal_data = false;  // columns non-empty: collect row keys
  std::shared_ptr<const RelationFacts> facts;
  std::optional<IntegerKeySet> integer_keys;
  std::optional<KeyList> other_keys;
  bool keys_unreadable = false;
  bool keys_not_captured = false;  // COPY: rows never pass a scan node we observe
  int64_t row_count = 0;
};

// A plan node whose rows are observed: its ExecProcNodeReal is swapped for
// audited_exec_proc_node, which calls `original` and records the row.
struct NodeWrap {
  PlanState* node = nullptr;
  TupleTableSlot* (*original)(PlanState*) = nullptr;
  RelationCapture* relation = nullptr;
  std::vector<int16_t> positions;  // slot attribute numbers of the key columns
  bool read_scan_slot = true;      // scan nodes: the base-table tuple; INSERT subplans: the output
  bool positions_known = true;
};

// The projection of a MERGE's WHEN NOT MATCHED THEN INSERT action: it builds
// each new row (in the target table's column order) outside any plan node
// we observe, so its ExprState's evalfunc is swapped for
// audited_merge_insert_projection, which calls `original` and reads the key
// of the row just built from the projection's result slot.
struct ProjectionWrap {
  ExprState* state = nullptr;
  uintptr_t original = 0;  // the ExprStateEvalFunc it replaced
  RelationCapture* relation = nullptr;
  std::vector<int16_t> positions;  // attribute numbers of the key columns in the result slot
};

struct StatementCapture {
  EState* estate = nullptr;
  std::vector<std::unique_ptr<RelationCapture>> relations;
  std::vector<RelationCapture*> by_rti;  // range-table index -> its capture, or nullptr
  // range-table index -> the key columns' attribute numbers in that entry
  // (a partition's may differ from its parent's); empty: unknown
  std::vector<std::vector<int16_t>> key_attnums_by_rti;
  std::vector<NodeWrap> wraps;
  std::vector<ProjectionWrap> projection_wraps;
  Event common;           // the fields shared by the statement's events
  bool finished = false;  // ExecutorEnd reached: outcome ok, else error
};

// capture_plan.cpp: the relations of the plan that need auditing, or nullptr.
std::unique_ptr<StatementCapture> plan_capture(QueryDesc* query, int nesting_level);
// The capture of COPY table TO/FROM (no executor plan); nullptr when the
// relation has no tagged column. `column_list` empty: all columns.
std::unique_ptr<StatementCapture> copy_capture(Oid relid, bool is_from,
                                               const std::vector<std::string>& column_list, int64_t query_id,
                                               int nesting_level);
// capture_rows.cpp: finds the nodes to observe (no side effects), then
// installs the wrappers (cannot fail).
void collect_wraps(StatementCapture& statement, PlanState* root);
void install_wraps(StatementCapture& statement) noexcept;
// Adds the key of one row (its key columns' values, in key order).
void record_row_key(RelationCapture& rc, const Datum* values, const bool* nulls, size_t n) noexcept;
// The event of relation `index` of a finished (or failed) statement, into
// `out` (assigned field by field, so a reused Event allocates nothing once
// warm).
void statement_event(StatementCapture& statement, size_t index, const char* outcome, Event& out);

// The statements of this backend whose plans are wrapped (nested and open
// cursors included). register_statement reserves first, so it either throws
// before anything changes or succeeds.
void register_statement(StatementCapture* statement);
void unregister_statement(StatementCapture* statement) noexcept;
StatementCapture* find_statement(EState* estate) noexcept;

extern "C" TupleTableSlot* audited_exec_proc_node(PlanState* node);
extern "C" Datum audited_merge_insert_projection(ExprState* state, ExprContext* econtext, bool* isnull);

}  // namespace gdpr::audit
