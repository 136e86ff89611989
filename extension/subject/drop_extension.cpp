// DROP EXTENSION gdpr must not fail because of the subject index triggers the
// extension put on users' tables (they depend on its trigger functions but
// cannot be extension members). An event trigger on ddl_command_start of
// DROP EXTENSION removes them first, and only when it is gdpr being dropped:
// plpgsql cannot see which extension a DROP names, the parse tree can.
extern "C" {
#include "postgres.h"

#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
}

#include <cstring>

#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

bool drops_gdpr(Node* tree) {
  if (tree == nullptr || !IsA(tree, DropStmt)) return false;
  auto* stmt = reinterpret_cast<DropStmt*>(tree);
  if (stmt->removeType != OBJECT_EXTENSION) return false;
  for (int i = 0; i < list_length(stmt->objects); ++i) {
    auto* name = static_cast<Node*>(list_nth(stmt->objects, i));
    if (IsA(name, String) && std::strcmp(strVal(name), "gdpr") == 0) return true;
  }
  return false;
}

// gdpr._subject_before_drop_extension() RETURNS event_trigger
Datum subject_before_drop_extension(FunctionCallInfo fcinfo) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo)) {
    throw gdpr::Error(gdpr::sqlstate::object_not_in_prerequisite_state,
                      "gdpr._subject_before_drop_extension() must be called as an event trigger");
  }
  auto* event = reinterpret_cast<EventTriggerData*>(fcinfo->context);
  if (!drops_gdpr(event->parsetree)) PG_RETURN_VOID();
  gdpr::pg::guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    SPI_execute("SELECT gdpr._subject_index_uninstall()", false, 0);
    SPI_finish();
  });
  PG_RETURN_VOID();
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_subject_before_drop_extension, subject_before_drop_extension)
