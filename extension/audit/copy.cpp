// See copy.hpp.
extern "C" {
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

#include "audit/copy.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace gdpr::audit {

namespace {

const CopyToMarker* current_copy_to = nullptr;
RelationCapture* current_copy_from = nullptr;

// The relation COPY names, its kind and its columns (non-dropped, in order,
// with whether each is generated). Locked as COPY itself locks it (TO:
// AccessShareLock, FROM: RowExclusiveLock), so it cannot change before COPY
// opens it again.
struct CopyTarget {
  Oid relid = InvalidOid;
  char relkind = 0;
  std::string schema;
  std::string name;
  std::vector<std::pair<std::string, bool>> columns;
};

CopyTarget open_target(const CopyStmt* copy) {
  CopyTarget t;
  const LOCKMODE lock = copy->is_from ? RowExclusiveLock : AccessShareLock;
  t.relid = pg::guard([&] { return RangeVarGetRelid(copy->relation, lock, true); });
  if (!OidIsValid(t.relid)) return t;
  Relation rel = pg::guard([&] { return relation_open(t.relid, NoLock); });
  t.relkind = rel->rd_rel->relkind;
  TupleDesc desc = RelationGetDescr(rel);
  for (int a = 0; a < desc->natts; ++a) {
    Form_pg_attribute attr = TupleDescAttr(desc, a);
    if (!attr->attisdropped) t.columns.emplace_back(NameStr(attr->attname), attr->attgenerated != '\0');
  }
  char* schema = pg::guard([&] { return get_namespace_name(RelationGetNamespace(rel)); });
  t.schema = schema != nullptr ? schema : "";
  t.name = RelationGetRelationName(rel);
  pg::guard([&] { relation_close(rel, NoLock); });
  return t;
}

std::vector<std::string> column_list(const CopyStmt* copy) {
  std::vector<std::string> names;
  ListCell* lc;
  foreach (lc, copy->attlist) names.emplace_back(strVal(lfirst(lc)));
  return names;
}

// The columns COPY TO would write, or false when PostgreSQL would refuse the
// list (unknown, generated or repeated columns): then the COPY runs as
// written and fails as it would have.
bool copy_to_columns(const CopyTarget& t, const std::vector<std::string>& list,
                     std::vector<std::string>& out) {
  if (list.empty()) {
    // COPY's default list: every column but generated ones.
    for (const auto& [name, generated] : t.columns)
      if (!generated) out.push_back(name);
    return true;
  }
  for (const std::string& name : list) {
    auto it =
        std::find_if(t.columns.begin(), t.columns.end(), [&](const auto& c) { return c.first == name; });
    if (it == t.columns.end() || it->second || std::find(out.begin(), out.end(), name) != out.end())
      return false;
    out.push_back(name);
  }
  return true;
}

// Nodes of the raw parse tree, built as the parser would (palloc'd).
Node* column_ref(const std::string& name) {
  return pg::guard([&] {
    ColumnRef* ref = makeNode(ColumnRef);
    ref->fields = list_make1(makeString(pstrdup(name.c_str())));
    ref->location = -1;
    return reinterpret_cast<Node*>(ref);
  });
}

Node* select_columns_from_only(const CopyTarget& t, const std::vector<std::string>& columns) {
  List* targets = NIL;
  for (const std::string& name : columns) {
    Node* ref = column_ref(name);
    targets = pg::guard([&] {
      ResTarget* target = makeNode(ResTarget);
      target->val = ref;
      target->location = -1;
      return lappend(targets, target);
    });
  }
  return pg::guard([&] {
    RangeVar* from = makeRangeVar(pstrdup(t.schema.c_str()), pstrdup(t.name.c_str()), -1);
    from->inh = false;  // ONLY: COPY reads no inheritance children
    SelectStmt* select = makeNode(SelectStmt);
    select->targetList = targets;
    select->fromClause = list_make1(from);
    return reinterpret_cast<Node*>(select);
  });
}

bool copy_row_function_exists() {
  return pg::guard([] {
    List* name = list_make2(makeString(pstrdup("gdpr_public")), makeString(pstrdup("audit_copy_row")));
    return OidIsValid(LookupFuncName(name, -1, nullptr, true));
  });
}

Node* copy_row_call(const std::vector<std::string>& key_names) {
  List* args = NIL;
  for (const std::string& key : key_names) {
    Node* ref = column_ref(key);
    args = pg::guard([&] { return lappend(args, ref); });
  }
  return pg::guard([&] {
    List* name = list_make2(makeString(pstrdup("gdpr_public")), makeString(pstrdup("audit_copy_row")));
    return reinterpret_cast<Node*>(makeFuncCall(name, args, COERCE_EXPLICIT_CALL, -1));
  });
}

// A copy of the statement to change; the original may be cached or read-only.
CopyStmt* rewritable_copy(CopyPlan& plan) {
  plan.planned = pg::guard([&] { return static_cast<PlannedStmt*>(copyObjectImpl(plan.planned)); });
  return reinterpret_cast<CopyStmt*>(plan.planned->utilityStmt);
}

}  // namespace

CopyPlan plan_copy(PlannedStmt* planned, int nesting_level) {
  CopyPlan plan;
  plan.planned = planned;
  auto* copy = reinterpret_cast<CopyStmt*>(planned->utilityStmt);
  if (copy->relation == nullptr || copy->query != nullptr) return plan;  // COPY (query): the executor's
  const CopyTarget target = open_target(copy);
  if (!OidIsValid(target.relid) || catalog::lookup(target.relid) == nullptr) return plan;
  const std::vector<std::string> list = column_list(copy);
  const auto query_id = static_cast<int64_t>(planned->queryId);
  plan.capture = copy_capture(target.relid, copy->is_from, list, query_id, nesting_level);
  if (!plan.capture) return plan;
  RelationCapture& rc = *plan.capture->relations.front();
  if (rc.facts->key_attnums.empty()) return plan;  // no primary key: rows cannot be named anyway

  if (!copy->is_from) {
    // Partitioned tables, views and foreign tables: COPY TO refuses them.
    std::vector<std::string> columns;
    if ((target.relkind != RELKIND_RELATION && target.relkind != RELKIND_MATVIEW) ||
        !copy_to_columns(target, list, columns))
      return plan;
    Node* query = select_columns_from_only(target, columns);
    CopyStmt* rewritten = rewritable_copy(plan);
    rewritten->query = query;
    rewritten->relation = nullptr;
    rewritten->attlist = NIL;
    plan.capture.reset();  // the query's event, from the executor hooks
    plan.copy_to_relation = target.relid;
    return plan;
  }

  // COPY FROM: only where it writes personal data, as for INSERT.
  if (!rc.reads_personal_data || !copy_row_function_exists()) return plan;
  Node* call = copy_row_call(rc.facts->key_names);
  CopyStmt* rewritten = rewritable_copy(plan);
  pg::guard([&] {
    rewritten->whereClause =
        rewritten->whereClause == nullptr
            ? call
            : reinterpret_cast<Node*>(makeBoolExpr(AND_EXPR, list_make2(rewritten->whereClause, call), -1));
  });
  rc.keys_not_captured = false;
  plan.keys_from_where = true;
  return plan;
}

const CopyToMarker* active_copy_to() noexcept { return current_copy_to; }

CopyToScope::CopyToScope(Oid relation, int nesting_level, int64_t query_id) noexcept
    : marker_{relation, nesting_level, query_id}, outer_(current_copy_to) {
  current_copy_to = &marker_;
}

CopyToScope::~CopyToScope() { current_copy_to = outer_; }

CopyFromScope::CopyFromScope(RelationCapture* relation) noexcept : outer_(current_copy_from) {
  current_copy_from = relation;
}

CopyFromScope::~CopyFromScope() { current_copy_from = outer_; }

namespace {

// gdpr_public.audit_copy_row(VARIADIC "any"): the WHERE condition added to COPY
// FROM. Records the key of the row about to be inserted into the running
// COPY's capture (nothing when called elsewhere) and lets the row through.
Datum audit_copy_row(FunctionCallInfo fcinfo) {
  RelationCapture* rc = current_copy_from;
  const int n = PG_NARGS();
  if (rc == nullptr || n != static_cast<int>(rc->facts->key_attnums.size()) || n > INDEX_MAX_KEYS)
    PG_RETURN_BOOL(true);
  Datum values[INDEX_MAX_KEYS];
  bool nulls[INDEX_MAX_KEYS];
  for (int k = 0; k < n; ++k) {
    nulls[k] = PG_ARGISNULL(k);
    values[k] = nulls[k] ? (Datum)0 : PG_GETARG_DATUM(k);
  }
  record_row_key(*rc, values, nulls, static_cast<size_t>(n));
  PG_RETURN_BOOL(true);
}

}  // namespace

}  // namespace gdpr::audit

GDPR_SQL_FUNCTION(gdpr_audit_copy_row, gdpr::audit::audit_copy_row)
