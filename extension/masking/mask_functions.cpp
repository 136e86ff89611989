// SQL-callable masking functions (schema gdpr, see sql/extension/20_masking.sql).
// The generated masked views call these once per tagged value, so they stay
// thin: detoast, hand the bytes to masking/masks.hpp, return text.
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
}

#include <string>
#include <string_view>

#include "catalog/catalog.hpp"
#include "identifiers/identifiers.hpp"
#include "masking/masks.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"
#include "settings.hpp"

namespace {

// The argument's bytes; valid while the function's memory context lives.
std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
  // Detoasting can fail (out of memory, corrupt toast): guarded.
  text* value = gdpr::pg::guard([&] { return PG_GETARG_TEXT_PP(n); });
  return {VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value)};
}

Datum text_result(const std::string& value) {
  return gdpr::pg::guard(
      [&] { return PointerGetDatum(cstring_to_text_with_len(value.data(), value.size())); });
}

std::string_view phone_region() {
  const char* region = gdpr::settings::default_phone_region;
  return region != nullptr ? region : "";
}

gdpr::catalog::Category category_arg(FunctionCallInfo fcinfo, int n) {
  const std::string_view name = text_arg(fcinfo, n);
  if (auto category = gdpr::catalog::parse_category(name)) return *category;
  throw gdpr::Error(gdpr::sqlstate::invalid_parameter_value,
                    "unknown personal-data category \"" + std::string(name) + "\"", "",
                    "Categories: email, phone, name, address, ip_address, national_id, payment, birth_date, "
                    "identifier, free_text, recording, special.");
}

Datum mask_partial(FunctionCallInfo fcinfo) {
  const auto category = category_arg(fcinfo, 1);
  return text_result(gdpr::masking::partial(text_arg(fcinfo, 0), category, phone_region()));
}

Datum mask_hash(FunctionCallInfo fcinfo) {
  return text_result(gdpr::masking::pseudonym(text_arg(fcinfo, 0)));
}

Datum mask_redact(FunctionCallInfo fcinfo) {
  // Cautious recall: a number libphonenumber cannot vouch for (a fictional or
  // unassigned range) is still hidden; over-redaction is the safe failure.
  return text_result(gdpr::identifiers::redact(text_arg(fcinfo, 0), phone_region(), {},
                                               gdpr::identifiers::PhoneRecall::cautious));
}

Datum mask_generalize_number(FunctionCallInfo fcinfo) {
  // PG_GETARG_FLOAT8 reads a by-value Datum: cannot fail.
  return text_result(gdpr::masking::generalize_number(PG_GETARG_FLOAT8(0)));
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_mask_partial, mask_partial)
GDPR_SQL_FUNCTION(gdpr_mask_hash, mask_hash)
GDPR_SQL_FUNCTION(gdpr_mask_redact, mask_redact)
GDPR_SQL_FUNCTION(gdpr_mask_generalize_number, mask_generalize_number)
