extern "C" {
#include "postgres.h"

#include "utils/elog.h"
}

#include "pg/invoke.hpp"

namespace gdpr {

const char* PgError::what() const noexcept {
  return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

void raise_error(const ErrorSlot& slot) noexcept {
  if (slot.pg_error != nullptr) {
    // The original error, with its SQLSTATE, detail, hint and context.
    ReThrowError(slot.pg_error);
  }
  const char* s = slot.sqlstate;
  int code = MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
  ereport(ERROR, (errcode(code), errmsg_internal("%s", slot.message),
                  slot.detail[0] != '\0' ? errdetail_internal("%s", slot.detail) : 0,
                  slot.hint[0] != '\0' ? errhint("%s", slot.hint) : 0));
  pg_unreachable();
}

}  // namespace gdpr
