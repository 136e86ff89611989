// Calendar dates in the notations customers and European forms use:
// ISO 8601 "1984-03-17", "17.03.1984" (also "17.3.1984" and the Slovak/Czech
// "17. 3. 1984"), and "17/03/1984". Slashed dates are read day-first, as
// everywhere in Europe; the US month-first order is not guessed at. The date
// must exist (no 31.02.).
#include <charconv>
#include <chrono>
#include <cstdio>

#include "ascii.hpp"
#include "recognisers.hpp"

namespace gdpr::identifiers::detail {
namespace {

// Reads 1..max_digits digits at the front of `s` (exactly `max_digits` when
// `exact`), consuming them.
std::optional<int> read_number(std::string_view& s, std::size_t max_digits, bool exact) {
  std::size_t n = 0;
  while (n < s.size() && n < max_digits && ascii::is_digit(s[n])) ++n;
  if (n == 0 || (exact && n != max_digits)) return std::nullopt;
  int value = 0;
  std::from_chars(s.data(), s.data() + n, value);
  s.remove_prefix(n);
  return value;
}

bool consume(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

std::optional<std::string> iso(int y, int m, int d) {
  using namespace std::chrono;
  if (y < 1000 || y > 9999) return std::nullopt;
  year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", y, m, d);
  return std::string(buffer);
}

std::optional<std::string> parse_iso(std::string_view s) {
  auto y = read_number(s, 4, true);
  if (!y || !consume(s, '-')) return std::nullopt;
  auto m = read_number(s, 2, true);
  if (!m || !consume(s, '-')) return std::nullopt;
  auto d = read_number(s, 2, true);
  if (!d || !s.empty()) return std::nullopt;
  return iso(*y, *m, *d);
}

// d.m.yyyy, d. m. yyyy, d/m/yyyy (one or two digits for day and month).
std::optional<std::string> parse_day_first(std::string_view s) {
  auto d = read_number(s, 2, false);
  if (!d || s.empty()) return std::nullopt;
  char separator = s.front();
  if (separator != '.' && separator != '/') return std::nullopt;
  s.remove_prefix(1);
  if (separator == '.') consume(s, ' ');
  auto m = read_number(s, 2, false);
  if (!m || !consume(s, separator)) return std::nullopt;
  if (separator == '.') consume(s, ' ');
  auto y = read_number(s, 4, true);
  if (!y || !s.empty()) return std::nullopt;
  return iso(*y, *m, *d);
}

}  // namespace

std::optional<std::string> canonical_date(std::string_view value) {
  if (value.size() > 14) return std::nullopt;
  if (auto date = parse_iso(value)) return date;
  return parse_day_first(value);
}

}  // namespace gdpr::identifiers::detail
