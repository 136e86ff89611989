// Who may see which column through gdpr.mask_redact(value, relation, ...):
// a role that may read the column of the base table anyway, or one with the
// privileges of a policy role whose rule for the column is `redact` or `keep`
// (gdpr._mask_redact_allowed in sql/extension/20_masking.sql decides).
//
// The answers are cached per backend, because asking costs a SQL function
// call (~1 ms) and a point query through a masked view asks once per
// statement. The cache is emptied by every relcache invalidation (policy
// changes regenerate the views and their grants; column privileges and
// tables changing send one too) and by changes of roles and role
// memberships, so a stale answer never outlives the change that made it.
#pragma once

#include <cstdint>

#include "pg/pg_fwd.hpp"

namespace gdpr::masking {

// May `role` see column `attnum` of `relation` redacted?
bool may_redact(Oid role, Oid relation, int16_t attnum);

}  // namespace gdpr::masking
