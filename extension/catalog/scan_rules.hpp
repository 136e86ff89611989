// The judgement behind gdpr_scan(), as pure C++ (no PostgreSQL), so the rules
// are unit-tested on their own: which column names suggest which category
// (several languages), which sampled values do, how the two are combined into
// one suggestion with a confidence, and how example values are masked.
// scan.cpp does the database side (listing columns, sampling).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.hpp"

namespace gdpr::catalog::scan {

// What kind of values a column's type can hold, as far as the rules care.
// `date` is a date_time whose values are also sampled (birth dates are dates,
// not timestamps).
enum class TypeClass { text, number, date_time, date, network, binary, other };

struct Suggestion {
  Category category;
  float confidence;  // 0..1
};

// From the column name alone, given its type ("e_mail" text -> email 0.7).
std::optional<Suggestion> suggest_from_name(std::string_view column_name, TypeClass type);

// The category a single sampled value shows (an e-mail address, a phone
// number in international or national notation, an IBAN with a valid
// checksum, an IP address, a date that could be an adult's birth date: 1900
// up to 14 years before `current_year`), or nullopt. `region` reads national
// phone numbers.
std::optional<Category> classify_value(std::string_view value, std::string_view region, int current_year);

// Counts over a column's sample: how many values were not null, and how many
// of them showed each category.
struct ValueEvidence {
  int non_null = 0;
  int email = 0;
  int phone = 0;
  int payment = 0;
  int ip_address = 0;
  int birth_date = 0;
  void add(std::optional<Category> category);
  int count(Category category) const;
};

std::optional<Suggestion> suggest_from_values(const ValueEvidence& evidence);

// One suggestion from both kinds of evidence, or nullopt if too weak.
std::optional<Suggestion> combine(std::optional<Suggestion> by_name, std::optional<Suggestion> by_values,
                                  const ValueEvidence& evidence);

// The label to suggest: identifying categories get "; subject".
std::string suggested_label(Category category);

// An example value with most of it hidden: j***@example.com, +4********56.
std::string mask_example(std::string_view value, Category category);

}  // namespace gdpr::catalog::scan
