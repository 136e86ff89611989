// Finding the extension's own internal functions (schema gdpr) from C++ code
// that runs as a masked role. Such roles have no USAGE on schema gdpr, so the
// parser's lookup (LookupFuncName) would refuse them; this looks the function
// up in the system cache by name, argument types and the schema's OID, and
// checks no privilege. Callers then run it through fmgr, which checks none
// either: only for functions that are safe to run for anyone.
#pragma once

#include "pg/pg_fwd.hpp"

namespace gdpr::masking {

// The OID of gdpr.<name>(<arg_types>), or InvalidOid (0) when it does not
// exist. Throws gdpr::PgError on catalog errors.
Oid internal_function(const char* name, int nargs, const Oid* arg_types);

}  // namespace gdpr::masking
