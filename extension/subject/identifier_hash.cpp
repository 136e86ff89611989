#include "subject/identifier_hash.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <unordered_set>

#include "keys/keys.hpp"
#include "pg/error.hpp"
#include "settings.hpp"

namespace gdpr::subject {
namespace {

using identifiers::Identifier;
using identifiers::Kind;

const keys::Key& identifier_key() {
  // derive() caches the master key per backend; the derived key is cached here
  // because the index triggers hash every value written. A reload that points
  // gdpr.key_file elsewhere derives it again.
  static std::optional<std::pair<std::string, keys::Key>> cached;
  const std::string path = settings::key_file != nullptr ? settings::key_file : "";
  if (!cached || cached->first != path) cached.emplace(path, keys::derive("identifier"));
  return cached->second;
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

// Digits and the punctuation people write phone numbers with, starting like an
// international number: the officer meant a phone number.
bool looks_like_international_phone(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return false;
  const std::string_view rest = text.substr(first);
  if (!(rest.starts_with('+') || rest.starts_with("00"))) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '/' || c == '(' || c == ')' ||
           c == '.';
  });
}

}  // namespace

std::string identifier_hash(const Identifier& id) {
  std::string data(identifiers::kind_name(id.kind));
  data += ':';
  data += id.value;
  return keys::hmac_hex(identifier_key(), data);
}

Identifier parse_requested(std::string_view text, std::string_view region) {
  if (text.empty() || is_blank(text)) {
    throw Error(sqlstate::invalid_parameter_value, "identifier must not be empty",
                "A data-subject request needs the person's e-mail address, phone number or other identifier.",
                "Pass e.g. 'jane@example.com' or '+421 905 123 456'.");
  }
  if (text.find('\0') != std::string_view::npos || text.size() > 1000) {
    throw Error(sqlstate::invalid_parameter_value, "identifier is malformed",
                "It is longer than 1000 bytes or holds a NUL character.",
                "Pass one identifier: an e-mail address, a phone number or a literal value.");
  }
  auto id = identifiers::normalize(text, region);
  if (!id) {
    throw Error(sqlstate::invalid_parameter_value, "identifier must not be empty", {},
                "Pass e.g. 'jane@example.com' or '+421 905 123 456'.");
  }
  if (id->kind == Kind::literal && text.find('@') != std::string_view::npos) {
    throw Error(sqlstate::invalid_parameter_value,
                "identifier \"" + std::string(text) + "\" is not a valid e-mail address",
                "It contains '@' but is not of the form local-part@domain.",
                "Check the spelling, e.g. 'jane@example.com'.");
  }
  if (id->kind == Kind::literal && looks_like_international_phone(text)) {
    throw Error(sqlstate::invalid_parameter_value,
                "identifier \"" + std::string(text) + "\" is not a valid phone number",
                "It is written like an international number but is not a possible number in any region.",
                "Write the full number, e.g. '+421 905 123 456' or '00421905123456'.");
  }
  return *id;
}

std::optional<Identifier> normalize_column_value(std::string_view category, std::string_view value,
                                                 std::string_view region) {
  if (value.empty() || is_blank(value) || value == erased_placeholder) return std::nullopt;
  std::optional<Kind> kind;
  if (category == "email") kind = Kind::email;
  if (category == "phone") kind = Kind::phone;
  if (category == "ip_address") kind = Kind::ip_address;
  if (kind) {
    if (auto id = identifiers::normalize_as(*kind, value, region)) return id;
  }
  // A value that is not what its category says is still findable as written.
  return identifiers::normalize(value, region);
}

std::vector<std::string> text_hashes(std::string_view text, std::string_view region) {
  std::vector<std::string> out;
  for (const auto& match : identifiers::find_in_text(text, region)) {
    auto hash = identifier_hash(match.id);
    if (std::find(out.begin(), out.end(), hash) == out.end()) out.push_back(std::move(hash));
  }
  return out;
}

std::vector<std::string> name_value_hashes(std::string_view stored_name) {
  std::vector<std::string> out;
  if (stored_name == erased_placeholder) return out;
  for (const auto& key : identifiers::name_keys(stored_name)) {
    out.push_back(identifier_hash(Identifier{Kind::name, key}));
    out.push_back(name_start_hash(identifiers::name_key_first_word(key)));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string name_start_hash(std::string_view first_word) {
  // Its own prefix: a one-word name ("madonna") and the first word of a
  // longer one must hash differently.
  std::string data = "name_start:";
  data += first_word;
  return keys::hmac_hex(identifier_key(), data);
}

std::string redact_hashes(std::string_view text, const std::vector<std::string>& hashes,
                          std::string_view region) {
  const std::unordered_set<std::string> wanted(hashes.begin(), hashes.end());
  std::string out;
  std::size_t copied = 0;
  for (const auto& match : identifiers::find_in_text(text, region)) {
    if (!wanted.contains(identifier_hash(match.id))) continue;
    out.append(text.substr(copied, match.offset - copied));
    out.append(erased_placeholder);
    copied = match.offset + match.length;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace gdpr::subject
