// Finding identifiers in free text and redacting them. Each recogniser scans
// the text on its own; overlaps are then resolved by trust: an IBAN (checksum
// and exact length) beats an e-mail address, which beats a phone number (the
// matcher may see digits inside an IBAN or in "0905123456@sms.example.sk"),
// which beats a known name (a word sequence that merely sounds like one).
#include <algorithm>
#include <iterator>
#include <map>

#include "identifiers.hpp"
#include "recognisers.hpp"

namespace gdpr::identifiers {
namespace {

int precedence(Kind kind) noexcept {
  switch (kind) {
    case Kind::iban:
      return 0;
    case Kind::email:
      return 1;
    case Kind::name:
      return 3;
    default:
      return 2;
  }
}

}  // namespace

namespace detail {

std::vector<Match> without_overlaps(std::vector<Match> candidates) {
  std::stable_sort(candidates.begin(), candidates.end(), [](const Match& a, const Match& b) {
    if (precedence(a.id.kind) != precedence(b.id.kind)) return precedence(a.id.kind) < precedence(b.id.kind);
    return a.offset < b.offset;
  });
  std::map<std::size_t, std::size_t> taken;  // start -> end of accepted matches (disjoint)
  std::vector<Match> accepted;
  for (auto& candidate : candidates) {
    std::size_t begin = candidate.offset;
    std::size_t end = candidate.offset + candidate.length;
    // Only the accepted match starting last before `end` can overlap.
    auto next = taken.lower_bound(end);
    if (next != taken.begin() && std::prev(next)->second > begin) continue;
    taken.emplace(begin, end);
    accepted.push_back(std::move(candidate));
  }
  std::sort(accepted.begin(), accepted.end(),
            [](const Match& a, const Match& b) { return a.offset < b.offset; });
  return accepted;
}

}  // namespace detail

namespace {

std::string_view placeholder(Kind kind) noexcept {
  switch (kind) {
    case Kind::email:
      return "[email]";
    case Kind::phone:
      return "[phone]";
    case Kind::iban:
      return "[iban]";
    case Kind::name:
      return "[name]";
    default:
      return "[redacted]";  // find_in_text reports no other kinds
  }
}

}  // namespace

std::vector<Match> find_in_text(std::string_view text, std::string_view region, const Poll& poll,
                                PhoneRecall recall) {
  std::vector<Match> candidates;
  detail::find_ibans(text, candidates);
  detail::find_emails(text, candidates);
  if (poll) poll();
  detail::find_phones(text, region, candidates, poll, recall);
  return detail::without_overlaps(std::move(candidates));
}

std::vector<Match> find_in_text(std::string_view text, std::string_view region, const Poll& poll) {
  return find_in_text(text, region, poll, PhoneRecall::precise);
}

std::vector<Match> find_in_text(std::string_view text, std::string_view region) {
  return find_in_text(text, region, Poll{});
}

std::string redact(std::string_view text, std::string_view region) { return redact(text, region, Poll{}); }

std::string redact(std::string_view text, std::string_view region, const Poll& poll) {
  return redact(text, region, poll, PhoneRecall::precise);
}

namespace {

std::string replace_matches(std::string_view text, const std::vector<Match>& matches) {
  if (matches.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (const Match& m : matches) {
    out.append(text.substr(copied, m.offset - copied));
    out.append(placeholder(m.id.kind));
    copied = m.offset + m.length;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace

std::string redact(std::string_view text, std::string_view region, const Poll& poll, PhoneRecall recall) {
  return replace_matches(text, find_in_text(text, region, poll, recall));
}

std::string redact(std::string_view text, std::string_view region, const Poll& poll, PhoneRecall recall,
                   NameDirectory& names) {
  std::vector<Match> matches = find_in_text(text, region, poll, recall);
  std::vector<Match> name_matches = find_names(text, names);
  if (name_matches.empty()) return replace_matches(text, matches);
  matches.insert(matches.end(), std::make_move_iterator(name_matches.begin()),
                 std::make_move_iterator(name_matches.end()));
  return replace_matches(text, detail::without_overlaps(std::move(matches)));
}

}  // namespace gdpr::identifiers
