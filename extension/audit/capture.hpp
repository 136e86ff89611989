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
}

namespace gdpr::audit {

struct RelationCapture {
  Oid relid = 0;
  int operation = 0;  // CmdType
  std::string operation_name;
  std::string relation_name;
  bool masked = false;
  std::vector<std::string> columns;  // tagged columns touched
  bool reads_personal_data = false;  // columns non-empty: collect row keys
  std::vector<int16_t> key_attnums;  // primary key, empty when none
  std::vector<std::string> key_names;
  std::vector<Oid> key_types;
  std::vector<Oid> key_output_functions;
  bool integer_key = false;  // single int2/int4/int8 column
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

struct StatementCapture {
  EState* estate = nullptr;
  std::vector<std::unique_ptr<RelationCapture>> relations;
  std::vector<RelationCapture*> by_rti;  // range-table index -> its capture, or nullptr
  // range-table index -> the key columns' attribute numbers in that entry
  // (a partition's may differ from its parent's); empty: unknown
  std::vector<std::vector<int16_t>> key_attnums_by_rti;
  std::vector<NodeWrap> wraps;
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
// The events of a finished (or failed) statement.
std::vector<Event> statement_events(StatementCapture& statement, const char* outcome);

// The statements of this backend whose plans are wrapped (nested and open
// cursors included). register_statement reserves first, so it either throws
// before anything changes or succeeds.
void register_statement(StatementCapture* statement);
void unregister_statement(StatementCapture* statement) noexcept;
StatementCapture* find_statement(EState* estate) noexcept;

extern "C" TupleTableSlot* audited_exec_proc_node(PlanState* node);

}  // namespace gdpr::audit
