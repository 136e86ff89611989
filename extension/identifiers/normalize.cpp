// Classifying a whole value. The order of the recognisers is what keeps one
// kind from being mistaken for another:
//   e-mail  contains '@', which nothing else may contain;
//   IBAN    needs two letters, a checksum and the country's exact length;
//   IP      and
//   date    come before phone, because libphonenumber's parser happily reads
//           "17.03.1984" or "10.1.2.3" as digits of some national number;
//   phone   accepts only digits and phone punctuation, so none of the above,
//           nor product codes with letters, can end up here;
// and anything left is a literal.
#include "identifiers.hpp"

#include "ascii.hpp"
#include "phone_library.hpp"
#include "recognisers.hpp"

namespace gdpr::identifiers {

std::string_view kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::email:
      return "email";
    case Kind::phone:
      return "phone";
    case Kind::iban:
      return "iban";
    case Kind::ip_address:
      return "ip_address";
    case Kind::date:
      return "date";
    case Kind::literal:
      return "literal";
    case Kind::name:
      return "name";
  }
  return "literal";
}

std::optional<Identifier> normalize_as(Kind kind, std::string_view value, std::string_view region) {
  value = ascii::trim(value);
  if (value.empty()) return std::nullopt;
  std::optional<std::string> canonical;
  switch (kind) {
    case Kind::email:
      canonical = detail::canonical_email(value);
      break;
    case Kind::phone:
      canonical = detail::canonical_phone(value, region);
      break;
    case Kind::iban:
      canonical = detail::canonical_iban(value);
      break;
    case Kind::ip_address:
      canonical = detail::canonical_ip(value);
      break;
    case Kind::date:
      canonical = detail::canonical_date(value);
      break;
    case Kind::literal:
      canonical = std::string(value);
      break;
    case Kind::name:
      canonical = name_key(value);
      if (canonical->empty()) canonical.reset();
      break;
  }
  if (!canonical) return std::nullopt;
  return Identifier{kind, std::move(*canonical)};
}

std::optional<Identifier> normalize(std::string_view value, std::string_view region) {
  for (Kind kind : {Kind::email, Kind::iban, Kind::ip_address, Kind::date, Kind::phone, Kind::literal})
    if (auto id = normalize_as(kind, value, region)) return id;
  return std::nullopt;  // blank
}

bool is_valid_iban(std::string_view value) noexcept {
  try {
    value = ascii::trim(value);
    return !value.empty() && detail::canonical_iban(value).has_value();
  } catch (...) {  // only std::bad_alloc; "not shown to be an IBAN"
    return false;
  }
}

bool looks_like_email(std::string_view value) noexcept {
  try {
    value = ascii::trim(value);
    return !value.empty() && detail::canonical_email(value).has_value();
  } catch (...) {  // only std::bad_alloc
    return false;
  }
}

void warm_up() {
  // The first phone lookup loads the metadata; the first text scan compiles
  // the matcher's regular expressions (another few ms).
  (void)detail::phone_util();
  (void)find_in_text("+421 905 123 456", "SK");
}

}  // namespace gdpr::identifiers
