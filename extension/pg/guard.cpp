// PG_TRY lives here and nowhere else in C++ code: the frame below contains no
// C++ object with a destructor, so the longjmp into PG_CATCH skips nothing.
extern "C" {
#include "postgres.h"

#include "utils/elog.h"
#include "utils/memutils.h"
}

#include "pg/guard.hpp"

namespace gdpr::pg::detail {

ErrorData* run_guarded(void (*fn)(void*), void* ctx) noexcept {
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData* volatile caught = nullptr;
  PG_TRY();
  { fn(ctx); }
  PG_CATCH();
  {
    // PG_CATCH has restored PG_exception_stack and error_context_stack; we
    // take a copy of the error in the caller's context and clear the error
    // state, as PostgreSQL's own subtransaction-less catchers do.
    MemoryContextSwitchTo(caller_context);
    caught = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  return caught;
}

}  // namespace gdpr::pg::detail
