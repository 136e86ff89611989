#include "values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace gdprctl {
namespace {
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto first = s.data() + pos;
  auto [ptr, ec] = std::from_chars(first, first + len, out);
  return ec == std::errc() && ptr == first + len;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

ValueKind kind_of(std::string_view t) {
  if (t == "smallint" || t == "integer" || t == "bigint" || t == "real" || t == "double precision" ||
      starts_with(t, "numeric")) {
    return ValueKind::number;
  }
  if (t == "date") return ValueKind::date;
  if (starts_with(t, "timestamp")) return ValueKind::timestamp;
  if (t == "boolean") return ValueKind::boolean;
  if (t == "bytea") return ValueKind::binary;
  return ValueKind::text;
}

std::optional<DateTime> parse_datetime(std::string_view s) {
  DateTime d;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!read_int(s, 0, 4, d.year) || !read_int(s, 5, 2, d.month) || !read_int(s, 8, 2, d.day))
    return std::nullopt;
  if (d.year < 1900 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
    return std::nullopt;
  if (s.size() == 10) return d;
  if ((s[10] != 'T' && s[10] != ' ') || s.size() < 19 || s[13] != ':' || s[16] != ':') return std::nullopt;
  int whole_seconds = 0;
  if (!read_int(s, 11, 2, d.hour) || !read_int(s, 14, 2, d.minute) || !read_int(s, 17, 2, whole_seconds)) {
    return std::nullopt;
  }
  d.second = whole_seconds;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    double scale = 0.1;
    for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, scale /= 10) {
      d.second += (s[pos] - '0') * scale;
    }
  }
  // What may follow is a UTC offset (+01:00, -05, Z): the wall-clock time is kept.
  if (pos < s.size() && s[pos] != '+' && s[pos] != '-' && s[pos] != 'Z') return std::nullopt;
  if (d.hour > 23 || d.minute > 59 || d.second >= 60) return std::nullopt;
  return d;
}

std::optional<double> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
  // Beyond 2^53 a double no longer holds every integer: keep the digits as text.
  if (std::fabs(v) >= 9007199254740992.0) return std::nullopt;
  // Decimals with more significant digits than a double keeps stay text too.
  const auto digits =
      std::count_if(copy.begin(), copy.end(), [](unsigned char c) { return std::isdigit(c); });
  if (digits > 15) return std::nullopt;
  return v;
}

std::string readable_header(std::string_view column) {
  std::string out(column);
  std::replace(out.begin(), out.end(), '_', ' ');
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string without_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

std::size_t base64_decoded_size(std::string_view b64) {
  std::size_t chars = 0, padding = 0;
  for (char c : b64) {
    if (c == '\n' || c == '\r') continue;
    ++chars;
    if (c == '=') ++padding;
  }
  return chars / 4 * 3 - padding;
}

std::string sheet_name(std::string_view table, std::set<std::string>& used) {
  std::string base(starts_with(table, "public.") ? table.substr(7) : table);
  for (char& c : base) {
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '_';
  }
  while (!base.empty() && base.front() == '\'') base.erase(base.begin());
  while (!base.empty() && base.back() == '\'') base.pop_back();
  if (base.empty()) base = "table";
  auto fits = [](std::string s, std::size_t limit) {
    // Cut at a UTF-8 character boundary.
    while (s.size() > limit) {
      s.pop_back();
      while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
      if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80)) s.pop_back();
    }
    return s;
  };
  std::string name = fits(base, 31);
  for (int n = 2; used.count(lower(name)); ++n) {
    const std::string suffix = " (" + std::to_string(n) + ")";
    name = fits(base, 31 - suffix.size()) + suffix;
  }
  used.insert(lower(name));
  return name;
}

std::string csv_file_name(std::string_view table) {
  std::string base(starts_with(table, "public.") ? table.substr(7) : table);
  for (char& c : base) {
    if (c == '/' || c == '\\' || c == '"' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  // A leading dot would hide the file; an empty name would be ".csv".
  std::string name = (base.empty() || base[0] == '.') ? std::string("_") : std::string();
  name.append(base).append(".csv");
  return name;
}

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::size_t display_width(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

std::string listed_because(std::string_view matched_by, std::string_view columns) {
  std::string in = columns.empty() ? "" : " (" + std::string(columns) + ")";
  if (matched_by == "subject column") return "identifies you" + in;
  if (matched_by == "linked") return "belongs to one of your records";
  if (matched_by == "free text") return "mentions you" + in;
  return std::string(matched_by);
}

}  // namespace gdprctl
