// Row keys: the executor's scan nodes of audited relations are observed as
// they produce rows. A scan node's ss_ScanTupleSlot holds the base-table
// tuple of the row it just returned (whatever the node projects), so the
// primary key is read from the table itself, also under joins, aggregates
// and sorts that never show it to the client. Rows filtered out by the
// scan's own quals are never returned and not recorded; rows a join later
// discards are (the statement did read them), so keys are a superset of the
// rows that reached the client, never a subset.
//
// INSERT has no scan of its target: the ModifyTable's subplan produces the
// new rows in the table's column order, so the key is read from its output.
// MERGE's WHEN NOT MATCHED THEN INSERT builds its rows in the action's
// projection instead (its subplan yields the joined source rows): the
// projection's ExprState is wrapped the same way, and the key read from the
// row it built. Matched rows are read by the target's scan node as usual.
//
// Nodes are wrapped by swapping PlanState.ExecProcNodeReal before the first
// call: ExecProcNodeFirst then installs our function (or the instrumented
// path, which calls ExecProcNodeReal), so EXPLAIN ANALYZE still works.
extern "C" {
#include "postgres.h"

#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "nodes/primnodes.h"
}

#include <algorithm>
#include <string_view>

#include "audit/capture.hpp"
#include "pg/guard.hpp"

namespace gdpr::audit {

namespace {

std::vector<StatementCapture*> active_statements;
NodeWrap* last_wrap = nullptr;  // most rows come from the node that gave the previous one

ProjectionWrap* find_projection_wrap(ExprState* state) noexcept {
  for (auto it = active_statements.rbegin(); it != active_statements.rend(); ++it)
    for (ProjectionWrap& w : (*it)->projection_wraps)
      if (w.state == state) return &w;
  return nullptr;
}

NodeWrap* find_wrap(PlanState* node) noexcept {
  if (last_wrap != nullptr && last_wrap->node == node) return last_wrap;
  for (auto it = active_statements.rbegin(); it != active_statements.rend(); ++it)
    for (NodeWrap& w : (*it)->wraps)
      if (w.node == node) return last_wrap = &w;
  return nullptr;
}

bool is_scan_node(const PlanState* ps) {
  switch (nodeTag(ps)) {
    case T_SeqScanState:
    case T_SampleScanState:
    case T_IndexScanState:
    case T_IndexOnlyScanState:
    case T_BitmapHeapScanState:
    case T_TidScanState:
    case T_TidRangeScanState:
      return true;
    default:
      return false;
  }
}

RelationCapture* capture_for(StatementCapture& st, Index rti) {
  return rti < st.by_rti.size() ? st.by_rti[rti] : nullptr;
}

// Positions of the key columns in an index-only scan's slot, which has the
// index's layout: the indextlist's Vars name heap columns by varattno.
void index_only_positions(const IndexOnlyScan* plan, const std::vector<int16_t>& key_attnums, NodeWrap& w) {
  for (int16_t attnum : key_attnums) {
    int16_t position = 0, i = 0;
    ListCell* lc;
    foreach (lc, plan->indextlist) {
      ++i;
      auto* tle = static_cast<TargetEntry*>(lfirst(lc));
      if (tle->expr != nullptr && IsA(tle->expr, Var) &&
          reinterpret_cast<Var*>(tle->expr)->varattno == attnum) {
        position = i;
        break;
      }
    }
    if (position == 0) {
      w.positions_known = false;
      return;
    }
    w.positions.push_back(position);
  }
}

// The INSERT actions of a MERGE. Every result relation has its own copy of
// the actions (ExecInitMerge); their projections all build rows in the
// root target's column order, so the key positions are the root's.
void collect_merge_inserts(StatementCapture& st, ModifyTableState* mt) {
  const ResultRelInfo* root = mt->rootResultRelInfo != nullptr ? mt->rootResultRelInfo : mt->resultRelInfo;
  RelationCapture* rc = root != nullptr ? capture_for(st, root->ri_RangeTableIndex) : nullptr;
  if (rc == nullptr) return;
  auto wrap_actions = [&](const ResultRelInfo* rri) {
    ListCell* lc;
    foreach (lc, rri->ri_notMatchedMergeAction) {
      auto* action = static_cast<MergeActionState*>(lfirst(lc));
      if (action->mas_action->commandType != CMD_INSERT || action->mas_proj == nullptr) continue;
      ExprState* state = &action->mas_proj->pi_state;
      const bool seen = std::any_of(st.projection_wraps.begin(), st.projection_wraps.end(),
                                    [&](const ProjectionWrap& w) { return w.state == state; });
      if (seen) continue;
      ProjectionWrap w;
      w.state = state;
      w.relation = rc;
      w.positions = rc->facts->key_attnums;
      st.projection_wraps.push_back(std::move(w));
    }
  };
  wrap_actions(root);
  for (int i = 0; i < mt->mt_nrels; ++i) wrap_actions(&mt->resultRelInfo[i]);
}

struct Collector {
  StatementCapture* statement;
  bool failed = false;
};

// planstate_tree_walker is C: nothing may be thrown through it.
bool collect_walker(PlanState* ps, void* context) {
  auto* c = static_cast<Collector*>(context);
  if (ps == nullptr) return false;
  try {
    StatementCapture& st = *c->statement;
    if (is_scan_node(ps)) {
      auto* scan = reinterpret_cast<Scan*>(ps->plan);
      if (RelationCapture* rc = capture_for(st, scan->scanrelid)) {
        NodeWrap w;
        w.node = ps;
        w.relation = rc;
        w.read_scan_slot = true;
        const std::vector<int16_t>& keys = st.key_attnums_by_rti[scan->scanrelid];
        if (keys.size() != rc->facts->key_attnums.size())
          w.positions_known = false;  // a child whose key columns could not be mapped
        else if (IsA(ps, IndexOnlyScanState))
          index_only_positions(reinterpret_cast<IndexOnlyScan*>(ps->plan), keys, w);
        else
          w.positions = keys;
        st.wraps.push_back(std::move(w));
      }
    } else if (IsA(ps, ModifyTableState) &&
               reinterpret_cast<ModifyTable*>(ps->plan)->operation == CMD_MERGE) {
      collect_merge_inserts(st, reinterpret_cast<ModifyTableState*>(ps));
    } else if (IsA(ps, ModifyTableState)) {
      auto* mt = reinterpret_cast<ModifyTable*>(ps->plan);
      PlanState* source = outerPlanState(ps);
      if (mt->operation == CMD_INSERT && source != nullptr && mt->resultRelations != NIL) {
        if (RelationCapture* rc = capture_for(st, static_cast<Index>(linitial_int(mt->resultRelations)))) {
          NodeWrap w;
          w.node = source;
          w.relation = rc;
          w.read_scan_slot = false;
          w.positions = rc->facts->key_attnums;
          st.wraps.push_back(std::move(w));
        }
      }
    }
  } catch (...) {
    c->failed = true;
    return true;  // stop walking
  }
  return planstate_tree_walker(ps, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect_walker)),
                               context);
}

// The key of the current row as a JSON value, via the type's output function.
std::string json_key_value(const RelationCapture& rc, size_t k, Datum value, bool isnull) {
  if (isnull) return "null";
  switch (rc.facts->key_types[k]) {
    case INT2OID:
      return std::to_string(DatumGetInt16(value));
    case INT4OID:
      return std::to_string(DatumGetInt32(value));
    case INT8OID:
      return std::to_string(DatumGetInt64(value));
    default:
      break;
  }
  char* text = pg::guard([&] { return OidOutputFunctionCall(rc.facts->key_output_functions[k], value); });
  std::string out = json_quote(text);
  pfree(text);
  return out;
}

}  // namespace

void record_row_key(RelationCapture& rc, const Datum* values, const bool* nulls, size_t n) noexcept {
  try {
    if (rc.facts->integer_key) {
      if (nulls[0]) return;
      int64_t key = rc.facts->key_types[0] == INT8OID   ? DatumGetInt64(values[0])
                    : rc.facts->key_types[0] == INT4OID ? DatumGetInt32(values[0])
                                                        : DatumGetInt16(values[0]);
      rc.integer_keys->add(key);
      return;
    }
    if (n == 1) {
      rc.other_keys->add(json_key_value(rc, 0, values[0], nulls[0]));
      return;
    }
    std::string composite = "[";
    for (size_t k = 0; k < n; ++k) {
      if (k > 0) composite += ", ";
      composite += json_key_value(rc, k, values[k], nulls[k]);
    }
    rc.other_keys->add(composite + "]");
  } catch (...) {
    rc.keys_unreadable = true;
  }
}

void register_statement(StatementCapture* statement) {
  active_statements.reserve(active_statements.size() + 1);
  active_statements.push_back(statement);
}

void unregister_statement(StatementCapture* statement) noexcept {
  auto it = std::find(active_statements.begin(), active_statements.end(), statement);
  if (it != active_statements.end()) active_statements.erase(it);
  last_wrap = nullptr;
}

StatementCapture* find_statement(EState* estate) noexcept {
  for (auto it = active_statements.rbegin(); it != active_statements.rend(); ++it)
    if ((*it)->estate == estate) return *it;
  return nullptr;
}

void collect_wraps(StatementCapture& statement, PlanState* root) {
  Collector collector{&statement};
  if (root != nullptr) collect_walker(root, &collector);
  if (collector.failed) throw std::bad_alloc();
  for (NodeWrap& w : statement.wraps)
    if (w.relation->facts->key_attnums.empty()) w.positions_known = false;
}

void install_wraps(StatementCapture& statement) noexcept {
  for (NodeWrap& w : statement.wraps) {
    w.original = w.node->ExecProcNodeReal;
    w.node->ExecProcNodeReal = audited_exec_proc_node;
  }
  for (ProjectionWrap& w : statement.projection_wraps) {
    w.original = reinterpret_cast<uintptr_t>(w.state->evalfunc);
    w.state->evalfunc = audited_merge_insert_projection;
  }
}

extern "C" TupleTableSlot* audited_exec_proc_node(PlanState* node) {
  NodeWrap* w = find_wrap(node);
  if (w == nullptr) {
    // Cannot happen: wraps outlive their nodes' execution. Fail loudly
    // rather than guess which function to call.
    elog(ERROR, "gdpr audit: plan node %p is wrapped but unknown", static_cast<void*>(node));
  }
  // May ereport: no C++ object is alive in this frame.
  TupleTableSlot* result = w->original(node);
  if (TupIsNull(result)) return result;
  RelationCapture& rc = *w->relation;
  ++rc.row_count;
  if (!rc.reads_personal_data) return result;
  if (!w->positions_known) {
    rc.keys_unreadable = true;
    return result;
  }
  TupleTableSlot* slot = w->read_scan_slot ? reinterpret_cast<ScanState*>(node)->ss_ScanTupleSlot : result;
  Datum values[INDEX_MAX_KEYS];
  bool nulls[INDEX_MAX_KEYS];
  const size_t n = w->positions.size();
  // Deforming an in-memory tuple does not ereport.
  for (size_t k = 0; k < n; ++k) values[k] = slot_getattr(slot, w->positions[k], &nulls[k]);
  record_row_key(rc, values, nulls, n);
  return result;
}

extern "C" Datum audited_merge_insert_projection(ExprState* state, ExprContext* econtext, bool* isnull) {
  ProjectionWrap* w = find_projection_wrap(state);
  if (w == nullptr)
    elog(ERROR, "gdpr audit: projection %p is wrapped but unknown", static_cast<void*>(state));
  // The first call of an expression replaces its evalfunc (the interpreter
  // checks the expression once, then installs the function that runs it),
  // so call with the original in place and wrap again whatever it left.
  auto* original = reinterpret_cast<ExprStateEvalFunc>(w->original);
  state->evalfunc = original;
  // May ereport: no C++ object is alive in this frame.
  Datum result = original(state, econtext, isnull);
  w->original = reinterpret_cast<uintptr_t>(state->evalfunc);
  state->evalfunc = audited_merge_insert_projection;
  RelationCapture& rc = *w->relation;
  ++rc.row_count;
  if (!rc.reads_personal_data) return result;
  if (w->positions.empty()) {
    rc.keys_unreadable = true;
    return result;
  }
  // The row is in the result slot's arrays; ExecProject marks it valid after
  // this returns, so read the arrays rather than through slot_getattr.
  const TupleTableSlot* slot = state->resultslot;
  Datum values[INDEX_MAX_KEYS];
  bool nulls[INDEX_MAX_KEYS];
  const size_t n = w->positions.size();
  for (size_t k = 0; k < n; ++k) {
    values[k] = slot->tts_values[w->positions[k] - 1];
    nulls[k] = slot->tts_isnull[w->positions[k] - 1];
  }
  record_row_key(rc, values, nulls, n);
  return result;
}

namespace {
// The string of an optional field, kept (with its capacity) if present.
std::string& reuse(std::optional<std::string>& field) { return field ? *field : field.emplace(); }
}  // namespace

void statement_event(StatementCapture& statement, size_t index, const char* outcome, Event& e) {
  RelationCapture& rc = *statement.relations[index];
  const Event& common = statement.common;
  e.at = common.at;
  e.query_id = common.query_id;
  e.backend_pid = common.backend_pid;
  e.nesting_level = common.nesting_level;
  e.actor = common.actor;
  e.db_role = common.db_role;
  e.client_addr = common.client_addr;
  e.application = common.application;
  e.relation = rc.relid;
  e.relation_name = rc.facts->relation_name;
  e.operation = rc.operation_name;
  e.outcome = outcome;
  e.masked = rc.masked;
  e.columns = rc.columns;
  e.key_columns = rc.facts->key_names;
  e.row_count = rc.row_count;
  e.keys_complete = true;
  // A refused statement read nothing: no keys to name.
  const bool with_keys = rc.reads_personal_data && std::string_view(outcome) != "refused" &&
                         !rc.facts->key_attnums.empty() && !rc.keys_not_captured;
  if (rc.reads_personal_data && std::string_view(outcome) != "refused" && !with_keys)
    e.keys_complete = false;  // no primary key, or COPY not rewritten: the rows cannot be named
  if (!with_keys) {
    e.row_keys.reset();
    e.key_ranges.reset();
  } else if (rc.facts->integer_key) {
    const auto& ranges = rc.integer_keys->ranges();
    row_keys_json(ranges, reuse(e.row_keys));
    multirange_literal(ranges, reuse(e.key_ranges));
    e.keys_complete = !rc.integer_keys->widened() && !rc.keys_unreadable;
  } else {
    row_keys_json(rc.other_keys->values(), reuse(e.row_keys));
    e.key_ranges.reset();
    e.keys_complete = !rc.other_keys->truncated() && !rc.keys_unreadable;
  }
}

}  // namespace gdpr::audit
