// The masking rules as pure C++ (no PostgreSQL headers): what a masked view
// shows instead of a value. One place for the shapes, so the SQL functions,
// the views generated from them and the documentation (docs/dba/policies.md)
// agree. Every function here is total: it never throws for any input value, so
// the SQL wrappers can be LEAKPROOF where their other ingredients allow.
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog.hpp"

namespace gdpr::masking {

// `partial`: keeps a recognisable shape of the value, category-aware.
//   phone        +421 9** *** 456   (country code, first digit, last 3)
//   email        j***@example.com   (first character of the local part, domain)
//   name         J*** D***          (first character of every word)
//   payment      SK31 **** **** **** **** 7541 for an IBAN, else **** 1234
//   address      ***, 811 01 Bratislava (the last comma-separated part, the
//                town; without a comma the last word)
//   ip_address   192.168.*.* / 2001:db8:*  (network part only)
//   anything else: first and last character, one * per character between;
//                values of 1-2 characters become all stars.
// `region` reads phone numbers in national notation (gdpr.default_phone_region).
// A phone or e-mail value that does not parse as one falls back to the
// generic shape, so a typo never shows more than the generic rule would.
std::string partial(std::string_view value, catalog::Category category, std::string_view region);

// `generalize` for numbers: the decade-like range holding the value, one
// significant digit wide: 7 -> "0-9", 42 -> "40-49", 150 -> "100-199",
// 12345 -> "10000-19999", -42 -> "-49--40". Not finite -> the value as text.
std::string generalize_number(double value);

// `hash`: a stable keyed pseudonym "pseu_" + 16 hex digits of
// HMAC-SHA-256(keys::derive("pseudonym"), value). Equal values give equal
// tokens (joins and GROUP BY keep working); without the key the token says
// nothing about the value. Throws gdpr::Error when the key file is missing.
std::string pseudonym(std::string_view value);

}  // namespace gdpr::masking
