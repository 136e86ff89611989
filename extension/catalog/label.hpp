// The grammar of `gdpr` security labels, as pure C++ (no PostgreSQL headers),
// so the label hook, the cache, the SQL helpers and the unit tests all read a
// label the same way.
//
//   column label:  category[; subject][; purpose=<text>][; basis=<basis>]
//   table label:   [erase=delete|anonymize][; retention=<interval>; retention_column=<column>]
//
// Parsing is lenient about spacing and letter case of keywords; the canonical
// text (to_text) is what gdpr_tag() stores and what gdpr.inventory shows.
// Checks that need the database (does the column exist, is the interval valid)
// are done by the label hook (catalog/label_provider.cpp), not here.
// Every refusal is a gdpr::Error with SQLSTATE 22023 and a hint listing what is
// allowed; a misspelt word gets a "did you mean" suggestion.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"

namespace gdpr::catalog {

struct ColumnLabel {
  Category category = Category::email;
  bool subject = false;
  std::string purpose;  // empty = not given
  std::string basis;    // empty = not given; else one of legal_bases()
  bool operator==(const ColumnLabel&) const = default;
};

struct TableLabel {
  std::optional<EraseMode> erase;  // nullopt = not given (tables default to delete)
  std::string retention;           // interval text as written; empty = not given
  std::string retention_column;    // identifier, case-folded like SQL; empty = not given
  bool operator==(const TableLabel&) const = default;
};

ColumnLabel parse_column_label(std::string_view text);
TableLabel parse_table_label(std::string_view text);

std::string to_text(const ColumnLabel& label);
std::string to_text(const TableLabel& label);

std::string_view erase_mode_name(EraseMode mode) noexcept;

// Whether a column of this category may carry `subject` (be searched by
// equality for a data subject's identifier). Free text and recordings cannot.
bool category_allows_subject(Category category) noexcept;

// The lawful bases of GDPR art. 6(1), as spelt in labels.
std::span<const std::string_view> legal_bases() noexcept;
std::span<const std::string_view> category_names() noexcept;

// "a, b, c" for hints.
std::string join(std::span<const std::string_view> words);

// The candidate closest to `word` (edit distance <= 2, or a case-insensitive
// match), for "did you mean" hints.
std::optional<std::string_view> closest_word(std::string_view word,
                                             std::span<const std::string_view> candidates);

// SQL identifier quoting for the canonical text: bare when it is a plain
// lower-case identifier, otherwise double-quoted with quotes doubled.
std::string quote_identifier(std::string_view identifier);

}  // namespace gdpr::catalog
