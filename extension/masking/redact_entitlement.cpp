// See redact_entitlement.hpp.
extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

#include <map>
#include <tuple>

#include "masking/internal_function.hpp"
#include "masking/redact_entitlement.hpp"
#include "pg/guard.hpp"

namespace gdpr::masking {
namespace {

std::map<std::tuple<Oid, Oid, int16_t>, bool> answers;
bool callbacks_registered = false;

// Both run while PostgreSQL processes invalidations; clearing never throws.
void forget_on_relcache(Datum /*arg*/, Oid /*relid*/) { answers.clear(); }
void forget_on_syscache(Datum /*arg*/, int /*cacheid*/, uint32 /*hashvalue*/) { answers.clear(); }

}  // namespace

bool may_redact(Oid role, Oid relation, int16_t attnum) {
  if (!callbacks_registered) {
    pg::guard([] {
      CacheRegisterRelcacheCallback(forget_on_relcache, static_cast<Datum>(0));
      CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, forget_on_syscache, static_cast<Datum>(0));
      CacheRegisterSyscacheCallback(AUTHOID, forget_on_syscache, static_cast<Datum>(0));
    });
    callbacks_registered = true;
  }
  pg::guard([] { AcceptInvalidationMessages(); });
  const auto key = std::make_tuple(role, relation, attnum);
  if (auto it = answers.find(key); it != answers.end()) return it->second;

  const Oid args[3] = {OIDOID, OIDOID, INT2OID};
  const Oid check = internal_function("_mask_redact_allowed", 3, args);
  if (!OidIsValid(check)) return false;
  // A SECURITY DEFINER function called through fmgr: it reads the policy
  // catalog with its owner's rights; EXECUTE is not checked (and is revoked
  // from PUBLIC, so nobody calls it from SQL).
  const bool allowed = pg::guard([&] {
    return DatumGetBool(
        OidFunctionCall3(check, ObjectIdGetDatum(role), ObjectIdGetDatum(relation), Int16GetDatum(attnum)));
  });
  // An invalidation that arrived while the function ran has already emptied
  // the map; this answer was computed under the catalogs it saw, so it stays
  // valid until the next invalidation.
  answers[key] = allowed;
  return allowed;
}

}  // namespace gdpr::masking
