// The masking shapes; see masks.hpp for the contract of each rule.
#include "masking/masks.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

#include "identifiers/identifiers.hpp"
#include "identifiers/phone_library.hpp"
#include "keys/keys.hpp"

namespace gdpr::masking {
namespace {

// Bytes of the UTF-8 sequence starting at s[i] (1 for stray bytes), so a mask
// never cuts a character in half.
std::size_t code_point_length(std::string_view s, std::size_t i) noexcept {
  const auto lead = static_cast<unsigned char>(s[i]);
  std::size_t n = 1;
  if (lead >= 0xF0) {
    n = 4;
  } else if (lead >= 0xE0) {
    n = 3;
  } else if (lead >= 0xC0) {
    n = 2;
  }
  return i + n <= s.size() ? n : s.size() - i;
}

std::string_view first_code_point(std::string_view s) noexcept {
  return s.empty() ? s : s.substr(0, code_point_length(s, 0));
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// First and last character kept, one star for each character between.
std::string generic(std::string_view value) {
  std::size_t count = 0;
  std::size_t last_start = 0;
  for (std::size_t i = 0; i < value.size(); i += code_point_length(value, i)) {
    last_start = i;
    ++count;
  }
  if (count <= 2) return std::string(count, '*');
  std::string out(first_code_point(value));
  out.append(count - 2, '*');
  out.append(value.substr(last_start));
  return out;
}

std::string email(std::string_view value) {
  const std::string_view v = trim(value);
  const auto at = v.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == v.size()) return generic(value);
  std::string out(first_code_point(v));
  out += "***";
  out.append(v.substr(at));
  return out;
}

// Country code and national significant number of an international number
// written with only digits and simple separators ("+421 905 123-456"), the
// common case in stored data. Country codes are prefix-free, so the first
// 1-3 digits that libphonenumber knows as a country code are it. Parse() gives
// the same answer but runs its regular expressions on every value (~10 us);
// this path is a table lookup. Anything else (national notation, "(0)",
// extensions) goes through Parse().
std::optional<std::pair<int, std::string>> split_international(std::string_view value) {
  const std::string_view v = trim(value);
  if (v.empty() || v.front() != '+') return std::nullopt;
  std::string digits;
  for (char c : v.substr(1)) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '/' && c != '.') {
      return std::nullopt;
    }
  }
  if (digits.size() < 8 || digits.size() > 15) return std::nullopt;
  const auto& util = identifiers::detail::phone_util();
  for (std::size_t length = 1; length <= 3; ++length) {
    const int country_code = std::stoi(digits.substr(0, length));
    std::string region_code;
    util.GetRegionCodeForCountryCode(country_code, &region_code);
    if (region_code != "ZZ") return std::make_pair(country_code, digits.substr(length));
  }
  return std::nullopt;
}

std::optional<std::string> phone(std::string_view value, std::string_view region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  int country_code = 0;
  std::string national;
  if (auto split = split_international(value)) {
    country_code = split->first;
    national = std::move(split->second);
  } else {
    const PhoneNumberUtil& util = identifiers::detail::phone_util();
    PhoneNumber number;
    if (util.Parse(std::string(value), identifiers::detail::phone_region(region), &number) !=
        PhoneNumberUtil::NO_PARSING_ERROR) {
      return std::nullopt;
    }
    country_code = number.country_code();
    util.GetNationalSignificantNumber(number, &national);
  }
  if (national.size() < 5) return std::nullopt;
  // Keep the first digit (operator or area) and the last three; the rest is
  // starred and grouped by three for readability.
  for (std::size_t i = 1; i + 3 < national.size(); ++i) national[i] = '*';
  std::string out(1, '+');
  out += std::to_string(country_code);
  // Groups of three from the right, so the kept last digits stand together.
  std::size_t group = national.size() % 3 == 0 ? 3 : national.size() % 3;
  for (std::size_t i = 0; i < national.size(); i += group, group = 3) {
    out += ' ';
    out.append(national, i, group);
  }
  return out;
}

std::string name(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i]))) ++i;
    if (i >= value.size()) break;
    std::size_t end = i;
    while (end < value.size() && !std::isspace(static_cast<unsigned char>(value[end]))) ++end;
    if (!out.empty()) out += ' ';
    out.append(first_code_point(value.substr(i, end - i)));
    out += "***";
    i = end;
  }
  return out;
}

std::string payment(std::string_view value) {
  std::string compact;
  std::string digits;
  for (char c : value) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (compact.size() > 8 && identifiers::is_valid_iban(compact)) {
    std::string out = compact.substr(0, 4);
    for (std::size_t hidden = compact.size() - 8, i = 0; i < hidden; i += 4) out += " ****";
    out += ' ';
    out += compact.substr(compact.size() - 4);
    return out;
  }
  if (digits.size() >= 8) return "**** " + digits.substr(digits.size() - 4);
  return generic(value);
}

std::string address(std::string_view value) {
  const std::string_view v = trim(value);
  const auto comma = v.rfind(',');
  if (comma != std::string_view::npos) {
    const std::string_view town = trim(v.substr(comma + 1));
    if (!town.empty()) return "***, " + std::string(town);
  }
  const auto space = v.find_last_of(" \t");
  if (space != std::string_view::npos) return "*** " + std::string(v.substr(space + 1));
  return generic(value);
}

std::string ip_address(std::string_view value) {
  const std::string_view v = trim(value);
  if (v.find(':') != std::string_view::npos) {
    const auto first = v.find(':');
    const auto second = v.find(':', first + 1);
    if (second != std::string_view::npos && second > first + 1)
      return std::string(v.substr(0, second)) + ":*";
    return generic(value);
  }
  const auto first = v.find('.');
  const auto second = first == std::string_view::npos ? first : v.find('.', first + 1);
  if (second != std::string_view::npos) return std::string(v.substr(0, second)) + ".*.*";
  return generic(value);
}

}  // namespace

std::string partial(std::string_view value, catalog::Category category, std::string_view region) {
  switch (category) {
    case catalog::Category::email:
      return email(value);
    case catalog::Category::phone:
      if (auto masked = phone(value, region)) return *masked;
      return generic(value);
    case catalog::Category::name:
      return name(value);
    case catalog::Category::payment:
      return payment(value);
    case catalog::Category::address:
      return address(value);
    case catalog::Category::ip_address:
      return ip_address(value);
    default:
      return generic(value);
  }
}

std::string generalize_number(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
  const double magnitude = std::floor(std::fabs(value));
  const int digits = magnitude < 10 ? 1 : static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  const double width = std::pow(10.0, digits > 1 ? digits - 1 : 1);
  const double low = std::floor(magnitude / width) * width;
  const double high = low + width - 1;
  char buffer[128];
  if (value < 0) {
    std::snprintf(buffer, sizeof buffer, "-%.0f--%.0f", high, low);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f-%.0f", low, high);
  }
  return buffer;
}

std::string pseudonym(std::string_view value) {
  // Derived once per backend: derive() is an HMAC of its own, and this runs
  // once per masked value.
  static const keys::Key key = keys::derive("pseudonym");
  return "pseu_" + keys::hmac_hex(key, value).substr(0, 16);
}

}  // namespace gdpr::masking
