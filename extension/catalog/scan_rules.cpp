// The rules of gdpr_scan(); see scan_rules.hpp.
#include "catalog/scan_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include "identifiers/identifiers.hpp"

namespace gdpr::catalog::scan {

namespace {

constexpr float kStrongName = 0.7f;  // the name says it plainly: email, telefon, rodne_cislo
constexpr float kWeakName = 0.5f;    // the name hints: mail, tel, caller, notes

struct NameWords {
  std::vector<std::string> tokens;  // lower-case words split at _, -, space, ., camelCase
  std::string compact;              // lower-case, separators removed
};

NameWords split_name(std::string_view name) {
  NameWords words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.tokens.push_back(current);
    current.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (std::isalnum(c) || c >= 0x80) {
      bool camel_break = std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]));
      if (camel_break) flush();
      char lower = static_cast<char>(std::tolower(c));
      current += lower;
      words.compact += lower;
    } else {
      flush();
    }
  }
  flush();
  return words;
}

bool has_token(const NameWords& w, std::initializer_list<std::string_view> candidates) {
  return std::any_of(w.tokens.begin(), w.tokens.end(), [&](const std::string& t) {
    return std::find(candidates.begin(), candidates.end(), t) != candidates.end();
  });
}

bool compact_contains(const NameWords& w, std::initializer_list<std::string_view> fragments) {
  return std::any_of(fragments.begin(), fragments.end(),
                     [&](std::string_view f) { return w.compact.find(f) != std::string::npos; });
}

bool compact_is(const NameWords& w, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), w.compact) != names.end();
}

// Person names, not product, company or file names: "name" alone, the word in
// other languages, or "name" qualified by a word that means a person's name.
std::optional<float> person_name_evidence(const NameWords& w) {
  if (compact_is(
          w, {"name",       "meno",      "jmeno",      "nachname", "vorname",   "surname",    "priezvisko",
              "prijmeni",   "firstname", "lastname",   "fullname", "givenname", "familyname", "middlename",
              "maidenname", "celemeno",  "krstnemeno", "nom",      "prenom",    "apellido",   "cognome"})) {
    return kStrongName;
  }
  if (has_token(w, {"meno", "jmeno", "nachname", "vorname", "surname", "priezvisko", "prijmeni", "firstname",
                    "lastname", "fullname"})) {
    return kStrongName;
  }
  if (has_token(w, {"name"}) && has_token(w, {"first", "last", "full", "given", "family", "middle", "maiden",
                                              "customer", "contact", "person", "client", "patient",
                                              "employee", "agent", "user", "member", "owner", "holder"})) {
    return kStrongName;
  }
  return std::nullopt;
}

bool category_fits_type(Category category, TypeClass type) {
  switch (type) {
    case TypeClass::text:
      return true;
    case TypeClass::number:  // phone numbers and IDs stored as numbers
      return category == Category::phone || category == Category::national_id ||
             category == Category::payment;
    case TypeClass::date_time:
    case TypeClass::date:
      return category == Category::birth_date;
    case TypeClass::network:
      return category == Category::ip_address;
    case TypeClass::binary:
      return category == Category::recording;
    case TypeClass::other:
      return false;
  }
  return false;
}

std::optional<Suggestion> name_rule(const NameWords& w) {
  using C = Category;
  if (has_token(w, {"ip", "ipv4", "ipv6", "ipaddr"}) ||
      compact_contains(w, {"ipaddress", "remoteaddr", "clientaddr"}))
    return Suggestion{C::ip_address, kStrongName};
  if (compact_contains(w, {"email", "emailadresa"})) return Suggestion{C::email, kStrongName};
  if (has_token(w, {"mail", "mailadresse", "epost"})) return Suggestion{C::email, kWeakName};
  if (compact_contains(w, {"iban", "creditcard", "cardnumber", "accountnumber", "bankaccount", "cislouctu",
                           "kontonummer"}))
    return Suggestion{C::payment, kStrongName};
  if (compact_contains(w, {"rodnecislo", "nationalid", "socialsecurity", "personalid", "birthnumber",
                           "passport", "personalausweis", "steuerid", "taxid"}) ||
      has_token(w, {"ssn", "pesel", "nin", "rc"}))
    return Suggestion{C::national_id, kStrongName};
  if (compact_contains(w, {"birth", "narodeni", "narozeni", "geburt"}) || has_token(w, {"dob", "born"}))
    return Suggestion{C::birth_date, kStrongName};
  if (compact_contains(w, {"phone", "telefon", "mobil", "msisdn"})) return Suggestion{C::phone, kStrongName};
  if (has_token(w, {"tel", "cell", "fax", "gsm", "caller", "callee", "handy"}))
    return Suggestion{C::phone, kWeakName};
  if (compact_contains(w, {"address", "adresa", "adresse", "street", "ulica", "ulice", "strasse", "postcode",
                           "postalcode", "zipcode"}) ||
      has_token(w, {"addr", "zip", "psc"}))
    return Suggestion{C::address, kStrongName};
  if (auto confidence = person_name_evidence(w)) return Suggestion{C::name, *confidence};
  if (has_token(w, {"body", "transcript", "comment", "comments", "note", "notes", "poznamka", "poznamky",
                    "message", "remarks", "bemerkung"}))
    return Suggestion{C::free_text, kWeakName};
  if (has_token(w, {"audio", "recording", "voice", "voicemail", "nahravka"}))
    return Suggestion{C::recording, kWeakName};
  return std::nullopt;
}

bool only_phone_characters(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == ' ' || c == '+' || c == '-' || c == '(' ||
           c == ')' || c == '/' || c == '.';
  });
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Keeps the first `head` and last `tail` characters (UTF-8 aware), stars between.
std::string keep_ends(std::string_view s, std::size_t head, std::size_t tail) {
  const std::size_t length = utf8_length(s);
  if (head + tail >= length) return std::string(length, '*');
  std::string out;
  std::size_t index = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    while (i + len < s.size() && (s[i + len] & 0xC0) == 0x80) ++len;
    if (index < head || index >= length - tail) {
      out.append(s.substr(i, len));
    } else {
      out += '*';
    }
    ++index;
    i += len;
  }
  return out;
}

}  // namespace

std::optional<Suggestion> suggest_from_name(std::string_view column_name, TypeClass type) {
  auto rule = name_rule(split_name(column_name));
  if (!rule || !category_fits_type(rule->category, type)) return std::nullopt;
  if (type == TypeClass::number) rule->confidence *= 0.8f;
  return rule;
}

std::optional<Category> classify_value(std::string_view value, std::string_view region, int current_year) {
  namespace id = gdpr::identifiers;
  if (id::looks_like_email(value)) return Category::email;
  if (id::is_valid_iban(value)) return Category::payment;
  if (id::normalize_as(id::Kind::ip_address, value, region)) return Category::ip_address;
  // Before phones: "07.03.1984" has phone characters and a trunk prefix.
  if (auto date = id::normalize_as(id::Kind::date, value, region)) {
    int year = std::atoi(date->value.substr(0, 4).c_str());  // ISO 8601: YYYY-MM-DD
    if (year >= 1900 && year <= current_year - 14) return Category::birth_date;
    return std::nullopt;
  }
  // Phone numbers are written internationally (+421..., 00421...) or
  // nationally with a trunk prefix (0905...); bare digit strings are more
  // often codes, counters or amounts, and are not counted.
  auto start = value.find_first_not_of(' ');
  if (start == std::string_view::npos || !only_phone_characters(value)) return std::nullopt;
  char first = value[start];
  if (first != '+' && first != '0' && first != '(') return std::nullopt;
  if (id::normalize_as(id::Kind::phone, value, region)) return Category::phone;
  return std::nullopt;
}

void ValueEvidence::add(std::optional<Category> category) {
  ++non_null;
  if (!category) return;
  switch (*category) {
    case Category::email:
      ++email;
      break;
    case Category::phone:
      ++phone;
      break;
    case Category::payment:
      ++payment;
      break;
    case Category::ip_address:
      ++ip_address;
      break;
    case Category::birth_date:
      ++birth_date;
      break;
    default:
      break;
  }
}

int ValueEvidence::count(Category category) const {
  switch (category) {
    case Category::email:
      return email;
    case Category::phone:
      return phone;
    case Category::payment:
      return payment;
    case Category::ip_address:
      return ip_address;
    case Category::birth_date:
      return birth_date;
    default:
      return 0;
  }
}

std::optional<Suggestion> suggest_from_values(const ValueEvidence& evidence) {
  if (evidence.non_null == 0) return std::nullopt;
  std::optional<Suggestion> best;
  for (Category c :
       {Category::email, Category::phone, Category::payment, Category::ip_address, Category::birth_date}) {
    float share = static_cast<float>(evidence.count(c)) / static_cast<float>(evidence.non_null);
    // Old dates alone are weak evidence (a contract's start date looks the
    // same): they need nearly the whole sample and stay under 0.6.
    if (c == Category::birth_date) {
      if (share >= 0.9f && !best) best = Suggestion{c, 0.55f};
      continue;
    }
    if (share < 0.5f) continue;
    // A handful of values is weaker evidence than a full sample.
    float confidence = (0.5f + 0.45f * share) * (evidence.non_null >= 5 ? 1.0f : 0.8f);
    if (!best || confidence > best->confidence) best = Suggestion{c, confidence};
  }
  return best;
}

std::optional<Suggestion> combine(std::optional<Suggestion> by_name, std::optional<Suggestion> by_values,
                                  const ValueEvidence& evidence) {
  std::optional<Suggestion> result;
  if (by_name && by_values) {
    if (by_name->category == by_values->category) {
      result = Suggestion{by_name->category,
                          std::min(0.99f, std::max(by_name->confidence, by_values->confidence) + 0.15f)};
    } else {
      result = by_values->confidence >= 0.8f ? by_values : by_name;
    }
  } else if (by_values) {
    result = by_values;
  } else if (by_name) {
    result = by_name;
    // The name says e-mail or IP, yet a full sample shows none: likely a flag
    // or a count (email_verified, ip_count); keep it, with less confidence.
    bool checkable = by_name->category == Category::email || by_name->category == Category::ip_address;
    if (checkable && evidence.non_null >= 5 &&
        static_cast<float>(evidence.count(by_name->category)) <
            0.2f * static_cast<float>(evidence.non_null)) {
      result->confidence *= 0.5f;
    }
  }
  if (result && result->confidence < 0.3f) return std::nullopt;
  return result;
}

std::string suggested_label(Category category) {
  std::string label(category_name(category));
  if (category == Category::email || category == Category::phone || category == Category::national_id) {
    label += "; subject";
  }
  return label;
}

std::string mask_example(std::string_view value, Category category) {
  if (category == Category::email) {
    auto at = value.rfind('@');
    if (at != std::string_view::npos && at > 0) {
      return keep_ends(value.substr(0, at), 1, 0) + std::string(value.substr(at));
    }
  }
  const std::size_t length = utf8_length(value);
  if (length <= 4) return std::string(length, '*');
  if (length <= 8) return keep_ends(value, 1, 1);
  return keep_ends(value, 3, 2);
}

}  // namespace gdpr::catalog::scan
