// Parsing and printing `gdpr` security labels; see label.hpp for the grammar.
#include "catalog/label.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "pg/error.hpp"

namespace gdpr::catalog {

namespace {

// Index = Category value; keep in the enum's order.
constexpr std::array<std::string_view, 12> kCategoryNames = {
    "email",   "phone",      "name",       "address",   "ip_address", "national_id",
    "payment", "birth_date", "identifier", "free_text", "recording",  "special",
};

constexpr std::array<std::string_view, 6> kLegalBases = {
    "consent", "contract", "legal_obligation", "vital_interest", "public_task", "legitimate_interest",
};

constexpr std::array<std::string_view, 3> kColumnOptions = {"subject", "purpose", "basis"};
constexpr std::array<std::string_view, 3> kTableOptions = {"erase", "retention", "retention_column"};
constexpr std::array<std::string_view, 2> kEraseModes = {"delete", "anonymize"};

constexpr std::string_view kColumnGrammar =
    "A column label is: category[; subject][; purpose=<text>][; basis=<basis>].";
constexpr std::string_view kTableGrammar =
    "A table label is: [erase=delete|anonymize][; retention=<interval>; retention_column=<date/time "
    "column>].";

[[noreturn]] void refuse(std::string message, std::string detail, std::string hint) {
  throw Error(sqlstate::invalid_parameter_value, std::move(message), std::move(detail), std::move(hint));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view word) {
  std::string out;  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "\"" + s + "\""
  out.reserve(word.size() + 2);
  out.append(1, '"').append(word).append(1, '"');
  return out;
}

// "Did you mean "x"? " or nothing.
std::string suggestion(std::string_view word, std::span<const std::string_view> candidates) {
  if (auto best = closest_word(word, candidates)) return "Did you mean " + quoted(*best) + "? ";
  return {};
}

// Splits at ';' outside double quotes (a quoted retention_column may contain one).
std::vector<std::string_view> split_elements(std::string_view text) {
  std::vector<std::string_view> parts;
  bool in_quotes = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') in_quotes = !in_quotes;
    if (text[i] == ';' && !in_quotes) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

std::vector<std::string_view> checked_elements(std::string_view text, std::string_view grammar) {
  if (trim(text).empty()) {
    refuse("empty gdpr label", "",
           std::string(grammar) + " To remove a tag, set the label to NULL (IS NULL) or use gdpr_untag().");
  }
  auto parts = split_elements(text);
  for (auto part : parts) {
    if (part.empty()) {
      refuse("empty element in gdpr label " + quoted(text),
             "Two semicolons follow each other, or the label ends with one.", std::string(grammar));
    }
  }
  return parts;
}

struct KeyValue {
  std::string key;  // lower-cased
  std::string_view value;
  bool has_value;
};

KeyValue split_key_value(std::string_view element) {
  auto eq = element.find('=');
  if (eq == std::string_view::npos) return {lower(element), {}, false};
  return {lower(trim(element.substr(0, eq))), trim(element.substr(eq + 1)), true};
}

void refuse_duplicate(std::string_view key, std::string_view text) {
  refuse("option " + quoted(key) + " given twice in gdpr label " + quoted(text), "",
         "Give each option once.");
}

std::string parse_identifier(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      if (text[i] == '"') {
        if (i + 2 < text.size() && text[i + 1] == '"') {
          out += '"';
          ++i;
          continue;
        }
        out.clear();
        break;
      }
      out += text[i];
    }
    if (!out.empty()) return out;
  } else if (!text.empty()) {
    auto ok_first = [](unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; };
    auto ok_rest = [&](unsigned char c) { return ok_first(c) || std::isdigit(c) || c == '$'; };
    bool ok =
        ok_first(static_cast<unsigned char>(text.front())) &&
        std::all_of(text.begin(), text.end(), [&](char c) { return ok_rest(static_cast<unsigned char>(c)); });
    if (ok) return lower(text);  // unquoted identifiers fold to lower case, as in SQL
  }
  refuse("invalid retention_column " + quoted(text) + " in gdpr label", "",
         "Name a column as in SQL: started_at, or \"Started At\" in double quotes.");
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view category_name(Category category) noexcept {
  return kCategoryNames.at(static_cast<std::size_t>(category));
}

std::optional<Category> parse_category(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == text) return static_cast<Category>(i);
  }
  return std::nullopt;
}

std::span<const std::string_view> category_names() noexcept { return kCategoryNames; }
std::span<const std::string_view> legal_bases() noexcept { return kLegalBases; }

std::string_view erase_mode_name(EraseMode mode) noexcept {
  return mode == EraseMode::anonymize ? "anonymize" : "delete";
}

bool category_allows_subject(Category category) noexcept {
  return category != Category::free_text && category != Category::recording;
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::optional<std::string_view> closest_word(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  const std::string folded = lower(word);
  std::optional<std::string_view> best;
  std::size_t best_distance = folded.size() <= 4 ? 1 : 2;  // short words: one typo at most
  for (auto candidate : candidates) {
    std::size_t d = edit_distance(folded, candidate);
    if (d <= best_distance && (!best || d < edit_distance(folded, *best))) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string quote_identifier(std::string_view identifier) {
  bool plain = !identifier.empty() &&
               (std::islower(static_cast<unsigned char>(identifier.front())) || identifier.front() == '_');
  for (char c : identifier) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_')) plain = false;
  }
  if (plain) return std::string(identifier);
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

ColumnLabel parse_column_label(std::string_view text) {
  // Quotes only group a quoted retention_column of a table label; in a column
  // label one would silently swallow the ';' after it.
  if (text.find('"') != std::string_view::npos) {
    refuse("double quote in gdpr column label " + quoted(text), "",
           "Write the purpose without double quotes, e.g. purpose=24-inch screens.");
  }
  const auto parts = checked_elements(text, kColumnGrammar);
  const std::string categories = "Categories: " + join(kCategoryNames) + ".";

  ColumnLabel label;
  const std::string first = lower(parts.front());
  if (first.find('=') != std::string::npos) {
    std::string hint = std::string(kColumnGrammar) + " " + categories;
    auto kv = split_key_value(parts.front());
    if (std::find(kTableOptions.begin(), kTableOptions.end(), kv.key) != kTableOptions.end()) {
      hint = quoted(kv.key) + " is a table option: SECURITY LABEL FOR gdpr ON TABLE ... IS '" +
             std::string(parts.front()) + "'. " + hint;
    }
    refuse("gdpr column label " + quoted(text) + " does not start with a category", "", hint);
  }
  auto category = parse_category(first);
  if (!category) {
    refuse("unknown gdpr category " + quoted(parts.front()), "",
           suggestion(first, kCategoryNames) + categories);
  }
  label.category = *category;

  bool seen_subject = false;
  bool seen_purpose = false;
  bool seen_basis = false;
  const std::string options_hint =
      "Column options: subject, purpose=<text>, basis=<" + join(kLegalBases) + ">.";
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const KeyValue kv = split_key_value(parts[i]);
    if (kv.key == "subject") {
      if (kv.has_value) refuse("option \"subject\" takes no value", "", "Write just: subject.");
      if (seen_subject) refuse_duplicate(kv.key, text);
      seen_subject = true;
      label.subject = true;
    } else if (kv.key == "purpose" && kv.has_value) {
      if (seen_purpose) refuse_duplicate(kv.key, text);
      if (kv.value.empty())
        refuse("empty purpose in gdpr label " + quoted(text), "", "Write e.g. purpose=billing.");
      seen_purpose = true;
      label.purpose = std::string(kv.value);
    } else if (kv.key == "basis" && kv.has_value) {
      if (seen_basis) refuse_duplicate(kv.key, text);
      const std::string basis = lower(kv.value);
      if (std::find(kLegalBases.begin(), kLegalBases.end(), basis) == kLegalBases.end()) {
        refuse("unknown legal basis " + quoted(kv.value) + " in gdpr label",
               "The lawful bases of GDPR art. 6(1).",
               suggestion(basis, kLegalBases) + "Bases: " + join(kLegalBases) + ".");
      }
      seen_basis = true;
      label.basis = basis;
    } else if (std::find(kTableOptions.begin(), kTableOptions.end(), kv.key) != kTableOptions.end()) {
      refuse(quoted(kv.key) + " is a table option, not a column option", "",
             "Label the table: SECURITY LABEL FOR gdpr ON TABLE ... IS '" + std::string(parts[i]) + "'. " +
                 options_hint);
    } else if (!kv.has_value && parse_category(kv.key)) {
      refuse("gdpr column label " + quoted(text) + " names more than one category", "",
             "A column has exactly one category; tag the most specific one. " + options_hint);
    } else {
      refuse("unknown option " + quoted(parts[i]) + " in gdpr column label", "",
             suggestion(kv.key, kColumnOptions) + options_hint);
    }
  }
  if (label.subject && !category_allows_subject(label.category)) {
    refuse("a " + std::string(category_name(label.category)) + " column cannot be a subject column",
           "\"subject\" marks a column holding one identifier of the data subject, searched by equality; " +
               std::string(category_name(label.category)) + " is not searched that way.",
           label.category == Category::free_text
               ? "Remove \"subject\"; identifiers inside free text are found anyway."
               : "Remove \"subject\"; a recording is found through the row it belongs to.");
  }
  return label;
}

TableLabel parse_table_label(std::string_view text) {
  const auto parts = checked_elements(text, kTableGrammar);
  const std::string options_hint =
      std::string(kTableGrammar) + " Table options: " + join(kTableOptions) + ".";

  TableLabel label;
  bool seen_erase = false;
  bool seen_retention = false;
  bool seen_column = false;
  for (auto part : parts) {
    const KeyValue kv = split_key_value(part);
    if (!kv.has_value) {
      if (parse_category(kv.key) || kv.key == "subject") {
        refuse(quoted(part) + " belongs on a column, not on a table", "",
               "Label the column: SECURITY LABEL FOR gdpr ON COLUMN table.column IS '" + std::string(text) +
                   "'.");
      }
      refuse("unknown option " + quoted(part) + " in gdpr table label", "",
             suggestion(kv.key, kTableOptions) + options_hint);
    }
    if (kv.value.empty())
      refuse("option " + quoted(kv.key) + " has no value in gdpr label " + quoted(text), "", options_hint);
    if (kv.key == "erase") {
      if (seen_erase) refuse_duplicate(kv.key, text);
      const std::string mode = lower(kv.value);
      if (mode == "delete") {
        label.erase = EraseMode::delete_rows;
      } else if (mode == "anonymize") {
        label.erase = EraseMode::anonymize;
      } else {
        refuse("unknown erase mode " + quoted(kv.value) + " in gdpr label",
               "delete removes the subject's rows; anonymize overwrites their tagged columns and keeps the "
               "rest.",
               suggestion(mode, kEraseModes) + "Erase modes: delete, anonymize.");
      }
      seen_erase = true;
    } else if (kv.key == "retention") {
      if (seen_retention) refuse_duplicate(kv.key, text);
      seen_retention = true;
      label.retention = std::string(kv.value);
    } else if (kv.key == "retention_column") {
      if (seen_column) refuse_duplicate(kv.key, text);
      seen_column = true;
      label.retention_column = parse_identifier(kv.value);
    } else if (kv.key == "purpose" || kv.key == "basis") {
      refuse(quoted(kv.key) + " is a column option, not a table option", "",
             "Label each column: SECURITY LABEL FOR gdpr ON COLUMN table.column IS 'category; " +
                 std::string(part) + "'. " + options_hint);
    } else {
      refuse("unknown option " + quoted(kv.key) + " in gdpr table label", "",
             suggestion(kv.key, kTableOptions) + options_hint);
    }
  }
  if (seen_retention != seen_column) {
    refuse(
        seen_retention ? "retention needs a retention_column" : "retention_column needs a retention",
        "Retention deletes or anonymises rows whose retention_column is older than the retention interval.",
        "Give both, e.g.: retention=2 years; retention_column=created_at.");
  }
  return label;
}

std::string to_text(const ColumnLabel& label) {
  std::string out(category_name(label.category));
  if (label.subject) out += "; subject";
  if (!label.purpose.empty()) out += "; purpose=" + label.purpose;
  if (!label.basis.empty()) out += "; basis=" + label.basis;
  return out;
}

std::string to_text(const TableLabel& label) {
  std::string out;
  auto add = [&](std::string element) {
    if (!out.empty()) out += "; ";
    out += element;
  };
  if (label.erase) add("erase=" + std::string(erase_mode_name(*label.erase)));
  if (!label.retention.empty()) add("retention=" + label.retention);
  if (!label.retention_column.empty()) add("retention_column=" + quote_identifier(label.retention_column));
  return out;
}

}  // namespace gdpr::catalog
