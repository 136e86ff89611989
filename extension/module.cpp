// Module entry: GUCs and the start-up of each room. Keep this file small; each
// room registers its own hooks through its own init function.
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

#include "audit/audit.hpp"
#include "catalog/catalog.hpp"
#include "retention/retention.hpp"
#include "settings.hpp"

namespace gdpr::settings {
bool audit_enabled = true;
char* default_phone_region = nullptr;
char* actor = nullptr;
char* key_file = nullptr;
}  // namespace gdpr::settings

namespace {

// A two-letter ISO 3166 region code; libphonenumber reads national notations
// (0905/123-456) in this region.
bool check_phone_region(char** newval, void** /*extra*/, GucSource /*source*/) {
  const char* v = *newval;
  if (v == nullptr || strlen(v) != 2 || !isupper(static_cast<unsigned char>(v[0])) ||
      !isupper(static_cast<unsigned char>(v[1]))) {
    GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
    GUC_check_errdetail("gdpr.default_phone_region must be a two-letter upper-case ISO 3166 region code.");
    GUC_check_errhint("For example 'SK', 'CZ', 'DE' or 'GB'.");
    return false;
  }
  return true;
}

// gdpr.actor names the person acting, for the audit. gdpr-proxy sets it in
// the start-up packet (options=-c gdpr.actor=anna); from then on the session
// cannot change it: SET and set_config() are refused, while RESET, RESET ALL
// and DISCARD ALL restore the start-up value (that is PostgreSQL's reset
// value, and no check hook runs for it). A session that started without an
// actor may name one once; it is then fixed the same way.
bool check_actor(char** newval, void** /*extra*/, GucSource source) {
  // Configuration files, role and database settings, start-up options and
  // ALTER ROLE ... SET validation (PGC_S_TEST) are not the client changing
  // its own identity mid-session.
  if (source != PGC_S_SESSION && source != PGC_S_INTERACTIVE) return true;
  const char* current = gdpr::settings::actor;
  if (current == nullptr || current[0] == '\0') return true;
  if (*newval != nullptr && strcmp(*newval, current) == 0) return true;
  GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
  GUC_check_errmsg("gdpr.actor cannot be changed once it is set");
  GUC_check_errdetail("This session acts as \"%s\"; every access is audited under that name.", current);
  GUC_check_errhint("Open a new connection (through gdpr-proxy: log in as the other person).");
  return false;
}

void define_settings() {
  DefineCustomBoolVariable("gdpr.audit", "Records row-level access to tagged personal data.", nullptr,
                           &gdpr::settings::audit_enabled, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable(
      "gdpr.default_phone_region", "Region used to read phone numbers written in national notation.", nullptr,
      &gdpr::settings::default_phone_region, "SK", PGC_USERSET, 0, check_phone_region, nullptr, nullptr);
  DefineCustomStringVariable(
      "gdpr.actor", "The person acting in this session (set by gdpr-proxy); defaults to the session user.",
      nullptr, &gdpr::settings::actor, "", PGC_USERSET, 0, check_actor, nullptr, nullptr);
  DefineCustomStringVariable(
      "gdpr.key_file", "File holding the extension's secret key (outside the database).",
      "Used for erasure proofs, pseudonyms and the audit chain.", &gdpr::settings::key_file, "", PGC_SIGHUP,
      GUC_SUPERUSER_ONLY, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("gdpr");
}

}  // namespace

void _PG_init(void) {
  // No C++ object is alive here, and every call below reports errors through
  // ereport before anything is half-registered, so no guard is needed.
  define_settings();
  gdpr::catalog::init_catalog();
  gdpr::audit::init_audit();
  gdpr::retention::init_retention();
}
