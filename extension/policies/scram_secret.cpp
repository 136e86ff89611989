// SCRAM-SHA-256 verifiers for the proxy's end users (gdpr.users), computed by
// PostgreSQL's own pg_be_scram_build_secret(): the same format as
// pg_authid.rolpassword ("SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>"),
// a fresh random salt each time, SASLprep applied. We never implement SCRAM.
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

// From libpq/scram.h, declared here because that header pulls in libpq-be.h
// and with it gssapi/gssapi.h (PostgreSQL is built with GSSAPI), a -dev
// package the extension otherwise has no use for. Same signature in PG 15.
extern char* pg_be_scram_build_secret(const char* password);
}

#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

Datum scram_build_secret(FunctionCallInfo fcinfo) {
  char* password = gdpr::pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  if (password[0] == '\0') {
    throw gdpr::Error(gdpr::sqlstate::invalid_parameter_value, "empty password", "",
                      "Give the end user a non-empty password.");
  }
  // Fails only when no strong random source is available (ereport).
  char* secret = gdpr::pg::guard([&] { return pg_be_scram_build_secret(password); });
  // Do not leave the clear-text password in backend memory longer than needed.
  explicit_bzero(password, strlen(password));
  return gdpr::pg::guard([&] { return CStringGetTextDatum(secret); });
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_scram_build_secret, scram_build_secret)
