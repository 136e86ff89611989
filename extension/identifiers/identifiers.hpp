// Recognising personal identifiers: e-mail addresses, phone numbers, IBANs,
// IP addresses, dates. Ground floor of the product: the catalog's scan, the
// subject index, erase redaction and the `redact` mask all stand on this, and
// it depends on none of them (pure C++, no PostgreSQL headers).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::identifiers {

enum class Kind { email, phone, iban, ip_address, date, literal };

// "email", "phone", "iban", "ip_address", "date", "literal"
std::string_view kind_name(Kind kind) noexcept;

// An identifier in canonical form: the same person's identifier written in
// any notation normalises to the same `value`.
//   email:      trimmed and lower-cased               jane.doe@example.com
//   phone:      E.164                                 +421905123456
//   iban:       upper-case, no spaces                 SK3112000000198742637541
//   ip_address: canonical text (inet_ntop)            2001:db8::1
//   date:       ISO 8601                              1984-03-17
//   literal:    trimmed input, unchanged otherwise
struct Identifier {
  Kind kind;
  std::string value;
  bool operator==(const Identifier&) const = default;
};

// Classifies and normalises a whole value (a column value, or what a
// compliance officer typed). `region` is an ISO 3166 code used for phone
// numbers in national notation (0905/123-456 in "SK").
// Returns nullopt for an empty or blank value. Anything not recognised as
// another kind is a `literal`.
std::optional<Identifier> normalize(std::string_view value, std::string_view region);

// Normalises `value` as the given kind; nullopt when it is not one.
std::optional<Identifier> normalize_as(Kind kind, std::string_view value, std::string_view region);

// One identifier found inside free text.
struct Match {
  Identifier id;
  std::size_t offset;  // byte offset of the match in the text
  std::size_t length;  // byte length of the match as written
};

// Every e-mail address, phone number (any common notation, via libphonenumber)
// and IBAN (checksum verified) inside `text`, in order of offset,
// non-overlapping. Dates and IPs are not searched in free text.
std::vector<Match> find_in_text(std::string_view text, std::string_view region);

// Replaces each match found by find_in_text with a placeholder: "[email]",
// "[phone]", "[iban]". The `redact` mask and erase redaction use this.
std::string redact(std::string_view text, std::string_view region);

// Checks used by gdpr_scan on sampled values.
bool is_valid_iban(std::string_view value) noexcept;
bool looks_like_email(std::string_view value) noexcept;

}  // namespace gdpr::identifiers
