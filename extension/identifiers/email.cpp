// E-mail addresses: the practical subset of RFC 5322 that real addresses use
// (dot-atoms with letters, digits and . _ % + - in the local part; a domain of
// at least two DNS labels with an alphabetic TLD). Quoted local parts and IP
// literals are deliberately not accepted: they do not occur in customer data,
// and accepting them in free text would swallow surrounding punctuation.
// The whole address is lower-cased: the product treats e-mail addresses as
// case-insensitive (DESIGN.md), even though RFC 5321 allows a case-sensitive
// local part.
#include <cstddef>

#include "ascii.hpp"
#include "recognisers.hpp"

namespace gdpr::identifiers::detail {
namespace {

constexpr std::size_t kMaxLocalLength = 64;    // RFC 5321 4.5.3.1.1
constexpr std::size_t kMaxDomainLength = 253;  // RFC 1035, without the root dot
constexpr std::size_t kMaxLabelLength = 63;

constexpr bool is_local_char(char c) noexcept {
  return ascii::is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
constexpr bool is_domain_char(char c) noexcept { return ascii::is_alnum(c) || c == '.' || c == '-'; }

bool valid_local_part(std::string_view local) noexcept {
  if (local.empty() || local.size() > kMaxLocalLength) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  if (local.find("..") != std::string_view::npos) return false;
  for (char c : local)
    if (!is_local_char(c)) return false;
  return true;
}

bool valid_domain(std::string_view domain) noexcept {
  if (domain.empty() || domain.size() > kMaxDomainLength) return false;
  std::size_t labels = 0;
  std::string_view last_label;
  while (true) {
    std::size_t dot = domain.find('.');
    std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!ascii::is_alnum(c) && c != '-') return false;
    ++labels;
    last_label = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  if (labels < 2 || last_label.size() < 2) return false;
  for (char c : last_label)
    if (!ascii::is_alpha(c)) return false;
  return true;
}

bool valid_address(std::string_view value) noexcept {
  std::size_t at = value.find('@');
  if (at == std::string_view::npos || value.find('@', at + 1) != std::string_view::npos) return false;
  return valid_local_part(value.substr(0, at)) && valid_domain(value.substr(at + 1));
}

}  // namespace

std::optional<std::string> canonical_email(std::string_view value) {
  if (!valid_address(value)) return std::nullopt;
  return ascii::lower(value);
}

// Linear: every byte is visited at most twice (as the domain of one '@' and
// as the local part of the next), and never before the end of the previous
// match.
void find_emails(std::string_view text, std::vector<Match>& out) {
  std::size_t floor = 0;  // matches never start before the end of the previous one
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at < floor) continue;
    std::size_t begin = at;
    while (begin > floor && is_local_char(text[begin - 1])) --begin;
    // An ellipsis glued to the address ("see...jane@x.com") is punctuation,
    // and so are dots that would start the local part.
    std::string_view run = text.substr(begin, at - begin);
    if (std::size_t ellipsis = run.rfind(".."); ellipsis != std::string_view::npos) begin += ellipsis + 2;
    while (begin < at && text[begin] == '.') ++begin;

    std::size_t end = at + 1;
    while (end < text.size() && is_domain_char(text[end])) ++end;
    // A sentence may end right after the address: "... at jane@x.com."
    while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;

    std::string_view local = text.substr(begin, at - begin);
    std::string_view domain = text.substr(at + 1, end - at - 1);
    if (!valid_local_part(local) || !valid_domain(domain)) continue;
    std::string_view written = text.substr(begin, end - begin);
    out.push_back(Match{Identifier{Kind::email, ascii::lower(written)}, begin, written.size()});
    floor = end;
  }
}

}  // namespace gdpr::identifiers::detail
