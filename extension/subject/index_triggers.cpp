// The subject index triggers are created as *internal* triggers
// (pg_trigger.tgisinternal), like the triggers behind foreign keys: they are
// the extension's machinery on users' tables, not part of the users' schema.
// pg_dump leaves internal triggers out, so a dump restores cleanly into a
// database where the extension re-creates them from the restored tags
// (before, the restore reported "trigger ... already exists"), and a
// masked pg_dump through gdpr-proxy restores anywhere.
//
//   gdpr._subject_index_create_triggers(relation regclass, spec text)
//
// creates gdpr_subject_index_{insert,update,delete} (statement level, with
// transition tables, calling gdpr._subject_index_rows(spec)) and
// gdpr_subject_index_truncate. DROP TRIGGER removes them as before.
extern "C" {
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

struct TriggerShape {
  const char* name;
  int16 event;
  bool old_rows;
  bool new_rows;
  const char* function;
  bool takes_spec;
};

constexpr TriggerShape kTriggers[] = {
    {"gdpr_subject_index_insert", TRIGGER_TYPE_INSERT, false, true, "_subject_index_rows", true},
    {"gdpr_subject_index_update", TRIGGER_TYPE_UPDATE, true, true, "_subject_index_rows", true},
    {"gdpr_subject_index_delete", TRIGGER_TYPE_DELETE, true, false, "_subject_index_rows", true},
    {"gdpr_subject_index_truncate", TRIGGER_TYPE_TRUNCATE, false, false, "_subject_index_truncate", false},
};

TriggerTransition* transition(const char* name, bool is_new) {
  auto* t = makeNode(TriggerTransition);
  t->name = pstrdup(name);
  t->isNew = is_new;
  t->isTable = true;
  return t;
}

// Runs inside pg::guard: PostgreSQL calls only, no C++ objects.
void create_triggers(Oid relid, const char* spec) {
  const char* schema = get_namespace_name(get_rel_namespace(relid));
  const char* relname = get_rel_name(relid);
  if (schema == nullptr || relname == nullptr) {
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", relid)));
  }
  for (const auto& shape : kTriggers) {
    auto* stmt = makeNode(CreateTrigStmt);
    stmt->replace = false;
    stmt->isconstraint = false;
    stmt->trigname = pstrdup(shape.name);
    stmt->relation = makeRangeVar(pstrdup(schema), pstrdup(relname), -1);
    stmt->funcname = list_make2(makeString(pstrdup("gdpr")), makeString(pstrdup(shape.function)));
    stmt->args = shape.takes_spec ? list_make1(makeString(pstrdup(spec))) : NIL;
    stmt->row = false;
    stmt->timing = TRIGGER_TYPE_AFTER;
    stmt->events = shape.event;
    stmt->columns = NIL;
    stmt->whenClause = nullptr;
    stmt->transitionRels = NIL;
    if (shape.old_rows) stmt->transitionRels = lappend(stmt->transitionRels, transition("old_rows", false));
    if (shape.new_rows) stmt->transitionRels = lappend(stmt->transitionRels, transition("new_rows", true));
    stmt->deferrable = false;
    stmt->initdeferred = false;
    stmt->constrrel = nullptr;
    CreateTrigger(stmt, nullptr, relid, InvalidOid, InvalidOid, InvalidOid, InvalidOid, InvalidOid, nullptr,
                  /*isInternal=*/true, /*in_partition=*/false);
  }
}

Datum subject_index_create_triggers(FunctionCallInfo fcinfo) {
  const Oid relid = PG_GETARG_OID(0);
  text* spec_text = PG_GETARG_TEXT_PP(1);
  gdpr::pg::guard([&] { create_triggers(relid, text_to_cstring(spec_text)); });
  PG_RETURN_VOID();
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_subject_index_create_triggers, subject_index_create_triggers)
