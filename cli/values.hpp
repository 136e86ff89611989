#pragma once
// Pure helpers that turn the export's values (text, as gdpr_export's jsonb
// renders them) into spreadsheet cells and file names. No libpq, no I/O: unit
// tested in tests/values_test.cpp.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace gdprctl {

// How a column's values are written, from its PostgreSQL type (format_type).
enum class ValueKind { text, number, date, timestamp, boolean, binary };
ValueKind kind_of(std::string_view pg_type);

struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
};
// Parses "2026-03-01", "2026-03-01T09:31:02.5+00:00" or "2026-03-01 09:31:02":
// the wall-clock time as written (the session's time zone); the offset is dropped.
std::optional<DateTime> parse_datetime(std::string_view s);

// A number a spreadsheet can hold exactly (integers beyond 2^53 and
// non-finite values stay text).
std::optional<double> parse_number(std::string_view s);

// "created_at" -> "Created at", "contact_id" -> "Contact id".
std::string readable_header(std::string_view column);

// Excel's limit for the text of one cell.
inline constexpr std::size_t max_cell_chars = 32767;

// Size in bytes of base64 data (newlines ignored).
std::size_t base64_decoded_size(std::string_view b64);
std::string without_newlines(std::string_view s);

// A worksheet name for a table ("public.calls" -> "calls"): at most 31
// characters, none of []:*?/\, unique (case-insensitively) among `used`,
// which it is added to.
std::string sheet_name(std::string_view table, std::set<std::string>& used);

// A file name for a table's csv ("public.calls" -> "calls.csv").
std::string csv_file_name(std::string_view table);

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view value);

// Columns a UTF-8 string occupies on a terminal (one per code point).
std::size_t display_width(std::string_view utf8);

// Why a row is in the export, in words for the data subject.
std::string listed_because(std::string_view matched_by, std::string_view columns);

}  // namespace gdprctl
