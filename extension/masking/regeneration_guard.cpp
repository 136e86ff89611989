// The backend-local flag that stops the masking regeneration from recursing:
// gdpr._mask_regenerate() runs CREATE VIEW, GRANT, ... and every one of them
// fires the ddl_command_end event trigger that called it. A GUC cannot hold
// the flag (clients could set it, and skip regeneration); this can only be
// changed by the extension's own SQL functions.
//
// The flag belongs to the (sub)transaction that set it: if that aborts, by an
// error or a cancel that PL/pgSQL's exception block does not see, the
// transaction callbacks clear it, so a failed regeneration never disables
// later ones in the same session.
extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
}

#include "pg/invoke.hpp"

namespace {

int active_at_nest_level = 0;  // 0 = not regenerating
bool callbacks_registered = false;

void on_xact(XactEvent event, void* /*arg*/) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_COMMIT ||
      event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE) {
    active_at_nest_level = 0;
  }
}

void on_subxact(SubXactEvent event, SubTransactionId /*my*/, SubTransactionId /*parent*/, void* /*arg*/) {
  if (event == SUBXACT_EVENT_ABORT_SUB && active_at_nest_level >= GetCurrentTransactionNestLevel()) {
    active_at_nest_level = 0;
  }
}

Datum regeneration_enter(FunctionCallInfo /*fcinfo*/) {
  if (!callbacks_registered) {
    // Both only palloc in TopMemoryContext; no C++ object is alive here.
    RegisterXactCallback(on_xact, nullptr);
    RegisterSubXactCallback(on_subxact, nullptr);
    callbacks_registered = true;
  }
  if (active_at_nest_level != 0) return BoolGetDatum(false);
  active_at_nest_level = GetCurrentTransactionNestLevel();
  return BoolGetDatum(true);
}

Datum regeneration_leave(FunctionCallInfo /*fcinfo*/) {
  active_at_nest_level = 0;
  return BoolGetDatum(true);
}

Datum regeneration_active(FunctionCallInfo /*fcinfo*/) { return BoolGetDatum(active_at_nest_level != 0); }

}  // namespace

GDPR_SQL_FUNCTION(gdpr_mask_regeneration_enter, regeneration_enter)
GDPR_SQL_FUNCTION(gdpr_mask_regeneration_leave, regeneration_leave)
GDPR_SQL_FUNCTION(gdpr_mask_regeneration_active, regeneration_active)
