// Keeping table labels in step with the schema (a ProcessUtility hook).
//
// Column and table labels are keyed by OID and attribute number, so
// PostgreSQL already carries them through renames and deletes them with a
// dropped table or column. What it cannot know is that a table label names a
// column in its text (retention_column=started_at). So:
//   - ALTER TABLE .. RENAME COLUMN started_at TO ...: the table label is
//     rewritten with the new name.
//   - ALTER TABLE .. DROP COLUMN of the retention_column: refused (2BP01),
//     like a dependency; drop or change the label first.
//   - any other ALTER TABLE (ALTER COLUMN TYPE above all): the table labels of
//     the table and its inheritors are checked again afterwards, and the
//     statement is refused (and so rolled back) if a retention_column is no
//     longer a date/time column. Refusing keeps retention from silently
//     stopping; the DBA decides what the label should become.
// A ProcessUtility hook rather than an event trigger: it sees the old column
// name of a rename, and it works the same inside pg_restore and extension
// scripts without objects of its own in the database.
extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/seclabel.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/inval.h"
}

#include "catalog/cache.hpp"
#include "catalog/label_provider.hpp"
#include "catalog/validate.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace gdpr::catalog {

namespace {

ProcessUtility_hook_type prev_process_utility = nullptr;

// What the statement needs checked after it ran. Trivially destructible: it
// lives in the hook's C frame, across the standard ProcessUtility call.
struct Followup {
  Oid relid = InvalidOid;
  char* renamed_from = nullptr;  // column rename: palloc'd names
  char* renamed_to = nullptr;
  bool revalidate = false;
};

std::optional<TableLabel> table_label_of(Oid relid) {
  auto text = cache::read_table_label(relid);
  if (!text) return std::nullopt;
  return parse_table_label(*text);
}

Oid relid_of(RangeVar* relation) {
  if (relation == nullptr) return InvalidOid;
  // missing_ok: the statement itself reports a missing table (or IF EXISTS).
  return pg::guard([&] { return RangeVarGetRelid(relation, NoLock, true); });
}

Followup before(Node* stmt) {
  Followup followup;
  if (IsA(stmt, RenameStmt)) {
    auto* rename = reinterpret_cast<RenameStmt*>(stmt);
    if (rename->renameType != OBJECT_COLUMN) return followup;
    followup.relid = relid_of(rename->relation);
    followup.renamed_from = rename->subname;
    followup.renamed_to = rename->newname;
  } else if (IsA(stmt, AlterTableStmt)) {
    auto* alter = reinterpret_cast<AlterTableStmt*>(stmt);
    if (alter->objtype != OBJECT_TABLE) return followup;
    followup.relid = relid_of(alter->relation);
    if (followup.relid == InvalidOid) return followup;
    followup.revalidate = true;
    auto label = table_label_of(followup.relid);
    if (!label || label->retention_column.empty()) return followup;
    ListCell* cell;
    foreach (cell, alter->cmds) {
      auto* cmd = static_cast<AlterTableCmd*>(lfirst(cell));
      if (cmd->subtype == AT_DropColumn && cmd->name != nullptr && label->retention_column == cmd->name) {
        const std::string table = relation_display_name(followup.relid);
        throw Error(sqlstate::dependent_objects_still_exist,
                    "cannot drop column \"" + label->retention_column + "\" of table " + table +
                        ": it is the retention_column of the table's gdpr label",
                    "The label is \"" + to_text(*label) + "\".",
                    "Change or remove the table label first: SECURITY LABEL FOR gdpr ON TABLE " + table +
                        " IS NULL.");
      }
    }
  }
  return followup;
}

List* relation_and_inheritors(Oid relid) {
  // The statement holds its lock on the tree already.
  return pg::guard([&] { return find_all_inheritors(relid, NoLock, nullptr); });
}

void follow_rename(Oid relid, const char* from, const char* to) {
  auto label = table_label_of(relid);
  if (!label || label->retention_column != from) return;
  label->retention_column = to;
  const std::string text = to_text(*label);
  const char* new_label = text.c_str();
  pg::guard([&] {
    ObjectAddress address;
    ObjectAddressSet(address, RelationRelationId, relid);
    SetSecurityLabel(&address, "gdpr", new_label);
    CacheInvalidateRelcacheByRelid(relid);
  });
}

void revalidate(Oid relid) {
  auto label = table_label_of(relid);
  if (!label || label->retention_column.empty()) return;
  try {
    check_table_label(relid, *label);
  } catch (const Error& e) {
    const std::string table = relation_display_name(relid);
    throw Error(
        e.sqlstate(),
        std::string("ALTER TABLE would invalidate the gdpr label of table ") + table + ": " + e.what(),
        "The label is \"" + to_text(*label) + "\".",
        "Change or remove the table label first (SECURITY LABEL FOR gdpr ON TABLE " + table +
            " IS ...), then alter the table.");
  }
}

void after(const Followup& followup) {
  pg::guard([] { CommandCounterIncrement(); });  // see the statement's own catalog changes
  List* relations = relation_and_inheritors(followup.relid);
  ListCell* cell;
  foreach (cell, relations) {
    Oid relid = lfirst_oid(cell);
    if (followup.renamed_from != nullptr) follow_rename(relid, followup.renamed_from, followup.renamed_to);
    if (followup.revalidate) revalidate(relid);
  }
}

void process_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                     ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* query_env,
                     DestReceiver* dest, QueryCompletion* qc) {
  Followup followup = invoke_cpp([&] { return before(pstmt->utilityStmt); });
  // No C++ object with a destructor is alive in this frame: errors of the
  // statement itself longjmp straight through.
  if (prev_process_utility != nullptr) {
    prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  } else {
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  }
  if (followup.relid != InvalidOid) invoke_cpp([&] { after(followup); });
}

}  // namespace

void install_schema_follow_hook() {
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = process_utility;
}

}  // namespace gdpr::catalog
