// See internal_function.hpp.
extern "C" {
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

#include "masking/internal_function.hpp"
#include "pg/guard.hpp"

namespace gdpr::masking {

Oid internal_function(const char* name, int nargs, const Oid* arg_types) {
  return pg::guard([&]() -> Oid {
    const Oid schema = get_namespace_oid("gdpr", true);  // no privilege check
    if (!OidIsValid(schema)) return InvalidOid;
    oidvector* args = buildoidvector(arg_types, nargs);
    return GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(name), PointerGetDatum(args),
                           ObjectIdGetDatum(schema));
  });
}

}  // namespace gdpr::masking
