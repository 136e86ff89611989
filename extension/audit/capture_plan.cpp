// Which relations a plan touches that need auditing, and which of their
// tagged columns, read from the executor's range table: selectedCols,
// insertedCols and updatedCols are exactly the columns the statement reads
// and writes after rewriting (views expanded), whatever the SQL looked like.
extern "C" {
#include "postgres.h"

#include "access/parallel.h"
#include "access/relation.h"
#include "access/sysattr.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "common/ip.h"
#include "executor/execdesc.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "access/xact.h"
}

#include <algorithm>
#include <unordered_map>

#include "audit/audit_settings.hpp"
#include "audit/capture.hpp"
#include "audit/copy.hpp"
#include "catalog/catalog.hpp"
#include "pg/guard.hpp"
#include "settings.hpp"

namespace gdpr::audit {

namespace {

// What this backend remembers between statements, each forgotten on the
// invalidation that could change it: gdpr.audit_log's oid, per audited
// relation its name and primary key (relcache; a namespace rename changes no
// relation, hence the namespace callback), and role names (pg_authid).
// Callbacks only erase entries; entries are read into the statement's
// capture before any PostgreSQL call that could process invalidations.
Oid audit_log_oid = InvalidOid;
bool audit_log_oid_valid = false;
bool callbacks_registered = false;

// Shared with the statements that use them: an invalidation drops the
// cache's reference, a running statement keeps its own.
std::unordered_map<Oid, std::shared_ptr<const RelationFacts>> relation_facts_cache;
std::unordered_map<Oid, std::string> role_names;

void relation_changed(Datum /*arg*/, Oid relid) noexcept {
  // Not known yet (no extension, or created since): any new relation may be it.
  if (relid == InvalidOid || relid == audit_log_oid || audit_log_oid == InvalidOid)
    audit_log_oid_valid = false;
  if (relid == InvalidOid)
    relation_facts_cache.clear();
  else
    relation_facts_cache.erase(relid);
}

void namespaces_changed(Datum /*arg*/, int /*cache*/, uint32 /*hash*/) noexcept {
  relation_facts_cache.clear();
}

void roles_changed(Datum /*arg*/, int /*cache*/, uint32 /*hash*/) noexcept { role_names.clear(); }

void register_callbacks() {
  if (callbacks_registered) return;
  pg::guard([] {
    CacheRegisterRelcacheCallback(relation_changed, (Datum)0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, namespaces_changed, (Datum)0);
    CacheRegisterSyscacheCallback(AUTHOID, roles_changed, (Datum)0);
  });
  callbacks_registered = true;
}

Oid current_audit_log_oid() {
  register_callbacks();
  if (!audit_log_oid_valid) {
    audit_log_oid = pg::guard([] {
      Oid ns = get_namespace_oid("gdpr", true);
      return OidIsValid(ns) ? get_relname_relid("audit_log", ns) : InvalidOid;
    });
    audit_log_oid_valid = true;
  }
  return audit_log_oid;
}

std::string take_cstring(char* s) {
  std::string out = s != nullptr ? s : "";
  if (s != nullptr) pfree(s);
  return out;
}

std::string role_name(Oid role) {
  register_callbacks();
  if (auto it = role_names.find(role); it != role_names.end()) return it->second;
  // GetUserNameFromId with noerr = true does not ereport for a missing role.
  char* name = pg::guard([role] { return GetUserNameFromId(role, true); });
  if (name == nullptr) return "role " + std::to_string(role);
  std::string result(name);
  pfree(name);
  role_names.emplace(role, result);
  return result;
}

// Numeric address of the client; empty for Unix sockets and background processes.
const std::string& client_address() {
  static bool known = false;
  static std::string address;
  if (!known) {
    known = true;
    // The backend status entry has the client's address without pulling
    // in libpq-be.h (and with it GSSAPI headers).
    const SockAddr* client = MyBEEntry != nullptr ? &MyBEEntry->st_clientaddr : nullptr;
    if (client != nullptr && (client->addr.ss_family == AF_INET || client->addr.ss_family == AF_INET6)) {
      char host[NI_MAXHOST];
      host[0] = '\0';
      if (pg_getnameinfo_all(&client->addr, client->salen, host, sizeof host, nullptr, 0, NI_NUMERICHOST) ==
          0)
        address = host;
    }
  }
  return address;
}

const char* operation_name(CmdType op) {
  switch (op) {
    case CMD_SELECT:
      return "SELECT";
    case CMD_INSERT:
      return "INSERT";
    case CMD_UPDATE:
      return "UPDATE";
    case CMD_DELETE:
      return "DELETE";
    case CMD_MERGE:
      return "MERGE";
    default:
      return "OTHER";
  }
}

// Whether attribute `attnum` (0: the whole row) is in a column set of a
// range-table entry (which are offset by FirstLowInvalidHeapAttributeNumber).
bool has_column(const Bitmapset* cols, int attnum) {
  return bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, cols);
}

// The primary key of `relid` (column numbers, names, types); empty when none.
void load_primary_key(Oid relid, RelationFacts& rc) {
  Oid pk_index = pg::guard([&] {
    // Already locked by the executor's caller (parse analysis or plan-cache
    // locking), hence NoLock.
    Relation rel = relation_open(relid, NoLock);
    Oid index = RelationGetPrimaryKeyIndex(rel);
    relation_close(rel, NoLock);
    return index;
  });
  if (!OidIsValid(pk_index)) return;
  int16_t attnums[INDEX_MAX_KEYS];
  int count = pg::guard([&] {
    HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pk_index));
    if (!HeapTupleIsValid(tuple)) return 0;
    auto* index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    int n = index->indnkeyatts;
    for (int k = 0; k < n; ++k) attnums[k] = index->indkey.values[k];
    ReleaseSysCache(tuple);
    return n;
  });
  for (int k = 0; k < count; ++k) {
    if (attnums[k] <= 0) {  // an expression in a primary key cannot happen; be safe
      rc.key_attnums.clear();
      return;
    }
    rc.key_attnums.push_back(attnums[k]);
    rc.key_names.push_back(take_cstring(pg::guard([&] { return get_attname(relid, attnums[k], false); })));
    Oid type = pg::guard([&] { return get_atttype(relid, attnums[k]); });
    rc.key_types.push_back(type);
    Oid output = InvalidOid;
    bool varlena = false;
    pg::guard([&] { getTypeOutputInfo(type, &output, &varlena); });
    rc.key_output_functions.push_back(output);
  }
  rc.integer_key = rc.key_attnums.size() == 1 &&
                   (rc.key_types[0] == INT2OID || rc.key_types[0] == INT4OID || rc.key_types[0] == INT8OID);
}

std::string qualified_name(Oid relid) {
  char* name = pg::guard([relid] {
    char* rel = get_rel_name(relid);
    char* ns = get_namespace_name(get_rel_namespace(relid));
    return rel != nullptr && ns != nullptr ? quote_qualified_identifier(ns, rel) : rel;
  });
  return name != nullptr ? std::string(name) : std::to_string(relid);
}

// The name and primary key of an audited relation, from this backend's cache.
std::shared_ptr<const RelationFacts> relation_facts(Oid relid) {
  register_callbacks();
  if (auto it = relation_facts_cache.find(relid); it != relation_facts_cache.end()) return it->second;
  auto facts = std::make_shared<RelationFacts>();
  facts->relation_name = qualified_name(relid);
  load_primary_key(relid, *facts);
  // Catalog lookups above may have processed invalidations: insert last.
  std::shared_ptr<const RelationFacts> shared = std::move(facts);
  relation_facts_cache.insert_or_assign(relid, shared);
  return shared;
}

// The result relations of the plan's ModifyTable nodes (the statement's
// own, and those of data-modifying WITH queries, which sit atop the
// subplans) with their operations, and ON CONFLICT's `excluded` entries.
struct ModifyTargets {
  std::vector<std::pair<Index, CmdType>> operation;  // a handful: searched linearly
  std::vector<Index> excluded;

  const CmdType* operation_of(Index rti) const {
    for (const auto& [index, op] : operation)
      if (index == rti) return &op;
    return nullptr;
  }
  bool is_excluded(Index rti) const {
    return std::find(excluded.begin(), excluded.end(), rti) != excluded.end();
  }
};

ModifyTargets modify_targets(const PlannedStmt* plan) {
  ModifyTargets targets;
  auto note = [&](const Plan* node) {
    if (node == nullptr || !IsA(node, ModifyTable)) return;
    const auto* mt = reinterpret_cast<const ModifyTable*>(node);
    ListCell* lc;
    foreach (lc, mt->resultRelations) {
      const auto rti = static_cast<Index>(lfirst_int(lc));
      if (!targets.operation_of(rti)) targets.operation.emplace_back(rti, mt->operation);
    }
    if (mt->exclRelRTI > 0) targets.excluded.push_back(mt->exclRelRTI);
  };
  note(plan->planTree);
  ListCell* lc;
  foreach (lc, plan->subplans) note(static_cast<const Plan*>(lfirst(lc)));
  // A result relation found elsewhere in the tree: the statement's own verb.
  foreach (lc, plan->resultRelations) {
    const auto rti = static_cast<Index>(lfirst_int(lc));
    if (!targets.operation_of(rti)) targets.operation.emplace_back(rti, plan->commandType);
  }
  return targets;
}

// Who, when and from where: the fields every event of a statement shares.
void fill_common(Event& e, int64_t query_id, int nesting_level) {
  e.at = GetCurrentStatementStartTimestamp();
  e.query_id = query_id;
  // A parallel worker's events name its leader, so they group with the
  // leader's events of the same statement.
  e.backend_pid =
      IsParallelWorker() && MyProc->lockGroupLeader != nullptr ? MyProc->lockGroupLeader->pid : MyProcPid;
  e.nesting_level = nesting_level;
  const char* actor = gdpr::settings::actor;
  e.actor = actor != nullptr && actor[0] != '\0' ? std::string(actor) : role_name(GetSessionUserId());
  e.db_role = role_name(GetUserId());
  e.client_addr = client_address();
  e.application = application_name != nullptr ? application_name : "";
}

// The partitions (and inheritance children) of an audited table are scanned
// under their own range-table entries: their rows belong to the parent's
// capture. The key columns are translated to each child's attribute numbers
// (a partition attached with another column order numbers them differently).
void map_partitions(const PlannedStmt* plan, StatementCapture& st) {
  // AppendRelInfos name their immediate parent; a few passes cover nested levels.
  for (int pass = 0; pass < 8; ++pass) {
    bool changed = false;
    ListCell* lc;
    foreach (lc, plan->appendRelations) {
      const auto* info = static_cast<const AppendRelInfo*>(lfirst(lc));
      const Index parent = info->parent_relid, child = info->child_relid;
      if (parent >= st.by_rti.size() || child >= st.by_rti.size()) continue;
      if (st.by_rti[parent] == nullptr || st.by_rti[child] != nullptr) continue;
      std::vector<int16_t> child_keys;
      for (int16_t parent_attno : st.key_attnums_by_rti[parent]) {
        int16_t found = 0;
        for (int i = 0; i < info->num_child_cols && found == 0; ++i)
          if (info->parent_colnos[i] == parent_attno) found = static_cast<int16_t>(i + 1);
        if (found == 0) {  // cannot happen for a key column; then the keys are unreadable
          child_keys.clear();
          break;
        }
        child_keys.push_back(found);
      }
      st.by_rti[child] = st.by_rti[parent];
      st.key_attnums_by_rti[child] = std::move(child_keys);
      changed = true;
    }
    if (!changed) break;
  }
}

}  // namespace

std::unique_ptr<StatementCapture> plan_capture(QueryDesc* query, int nesting_level) {
  PlannedStmt* plan = query->plannedstmt;
  if (plan == nullptr || plan->rtable == nullptr) return nullptr;
  const Oid audit_log = current_audit_log_oid();

  const ModifyTargets targets = modify_targets(plan);
  std::unique_ptr<StatementCapture> statement;
  std::vector<std::pair<Index, RelationCapture*>> origins;
  Index rti = 0;
  ListCell* lc;
  foreach (lc, plan->rtable) {
    ++rti;
    auto* rte = static_cast<RangeTblEntry*>(lfirst(lc));
    if (rte->rtekind != RTE_RELATION || rte->relkind == RELKIND_VIEW) continue;
    const catalog::TableTags* tags = catalog::lookup(rte->relid);
    const bool is_audit_log = OidIsValid(audit_log) && rte->relid == audit_log;
    if (tags == nullptr && !is_audit_log) continue;

    // ON CONFLICT's `excluded` is the proposed row, not a read of the table.
    if (targets.is_excluded(rti)) continue;
    const CmdType* target = targets.operation_of(rti);
    const bool is_target = target != nullptr;
    const CmdType op = is_target ? *target : CMD_SELECT;

    auto touched = [&](int attnum) {
      return has_column(rte->selectedCols, attnum) ||
             (is_target && (has_column(rte->insertedCols, attnum) || has_column(rte->updatedCols, attnum)));
    };
    // A deleted row loses all its personal data.
    const bool whole_row = touched(0) || op == CMD_DELETE;

    auto rc = std::make_unique<RelationCapture>();
    rc->relid = rte->relid;
    rc->operation = op;
    rc->operation_name = operation_name(op);
    // Reached through a view owned by someone else: the masking views of
    // gdpr policies (or any other view) stand between reader and table.
    rc->masked = OidIsValid(rte->checkAsUser) && rte->checkAsUser != GetUserId();
    if (tags != nullptr) {
      for (const auto& column : tags->columns)
        if (whole_row || touched(column.attnum)) rc->columns.push_back(column.column_name);
    } else {
      // The audit log itself: every column of it counts.
      Bitmapset* all = pg::guard([&] {
        Bitmapset* cols = bms_copy(rte->selectedCols);
        if (is_target) cols = bms_add_members(bms_add_members(cols, rte->insertedCols), rte->updatedCols);
        return cols;
      });
      for (int x = -1; (x = bms_next_member(all, x)) >= 0;) {
        const int a = x + FirstLowInvalidHeapAttributeNumber;
        if (a > 0)
          rc->columns.push_back(take_cstring(pg::guard([&] { return get_attname(rte->relid, a, true); })));
      }
      if (whole_row) rc->columns.push_back("*");
    }
    rc->reads_personal_data = !rc->columns.empty();
    // Inside functions and triggers (foreign-key checks, the catalog's own
    // queries) only statements that touch personal data are worth an event;
    // a client's statement is recorded even when it reads none (count(*)).
    if (nesting_level > 0 && !rc->reads_personal_data) continue;

    // The same relation twice with the same operation (a self-join) is one event.
    if (statement) {
      auto same = std::find_if(
          statement->relations.begin(), statement->relations.end(),
          [&](const auto& other) { return other->relid == rc->relid && other->operation == rc->operation; });
      if (same != statement->relations.end()) {
        for (auto& c : rc->columns)
          if (std::find((*same)->columns.begin(), (*same)->columns.end(), c) == (*same)->columns.end())
            (*same)->columns.push_back(c);
        (*same)->reads_personal_data = !(*same)->columns.empty();
        (*same)->masked = (*same)->masked || rc->masked;
        origins.emplace_back(rti, same->get());
        continue;
      }
    }
    // The query of a rewritten COPY TO (copy.hpp) is the COPY.
    if (const CopyToMarker* copy = active_copy_to(); copy != nullptr &&
                                                     copy->nesting_level == nesting_level &&
                                                     copy->relation == rc->relid && op == CMD_SELECT)
      rc->operation_name = "COPY TO";
    rc->facts = relation_facts(rc->relid);
    const size_t cap = static_cast<size_t>(settings::max_keys);
    if (rc->facts->integer_key)
      rc->integer_keys.emplace(cap);
    else
      rc->other_keys.emplace(cap);
    if (!statement) statement = std::make_unique<StatementCapture>();
    origins.emplace_back(rti, rc.get());
    statement->relations.push_back(std::move(rc));
  }
  if (!statement) return nullptr;
  statement->by_rti.assign(rti + 1, nullptr);
  statement->key_attnums_by_rti.assign(rti + 1, {});
  for (auto [index, relation] : origins) {
    statement->by_rti[index] = relation;
    statement->key_attnums_by_rti[index] = relation->facts->key_attnums;
  }
  map_partitions(plan, *statement);

  int64_t query_id = static_cast<int64_t>(plan->queryId);
  if (const CopyToMarker* copy = active_copy_to(); copy != nullptr && copy->nesting_level == nesting_level)
    query_id = copy->query_id;  // as pg_stat_statements knows the COPY
  fill_common(statement->common, query_id, nesting_level);
  return statement;
}

}  // namespace gdpr::audit

namespace gdpr::audit {

std::unique_ptr<StatementCapture> copy_capture(Oid relid, bool is_from,
                                               const std::vector<std::string>& column_list, int64_t query_id,
                                               int nesting_level) {
  const catalog::TableTags* tags = catalog::lookup(relid);
  if (tags == nullptr) return nullptr;
  auto rc = std::make_unique<RelationCapture>();
  rc->relid = relid;
  rc->operation = is_from ? CMD_INSERT : CMD_SELECT;
  rc->operation_name = is_from ? "COPY FROM" : "COPY TO";
  for (const auto& column : tags->columns)
    if (column_list.empty() ||
        std::find(column_list.begin(), column_list.end(), column.column_name) != column_list.end())
      rc->columns.push_back(column.column_name);
  rc->reads_personal_data = !rc->columns.empty();
  // COPY moves rows outside the executor's scan nodes: the count is known,
  // the keys only where plan_copy() rewrites the COPY so that they are seen.
  rc->keys_not_captured = true;
  rc->facts = relation_facts(relid);
  const size_t cap = static_cast<size_t>(settings::max_keys);
  if (rc->facts->integer_key)
    rc->integer_keys.emplace(cap);
  else
    rc->other_keys.emplace(cap);
  auto statement = std::make_unique<StatementCapture>();
  statement->relations.push_back(std::move(rc));
  fill_common(statement->common, query_id, nesting_level);
  return statement;
}

}  // namespace gdpr::audit
