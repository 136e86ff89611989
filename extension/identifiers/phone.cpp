// Phone numbers, through libphonenumber: a whole value is parsed with the
// default region and must be a *valid* number (not merely a possible one);
// free text is searched with PhoneNumberMatcher at leniency VALID (POSSIBLE
// for PhoneRecall::cautious, used when hiding rather than identifying), which
// finds every usual notation ("0905/123-456", "(0905) 123 456",
// "+421 905 123 456", "00421905123456") but rejects order numbers, dates,
// amounts and digit runs glued to letters.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstddef>
#include <limits>

#include "ascii.hpp"
#include "phone_library.hpp"
#include "phone_windows.hpp"
#include "recognisers.hpp"
#include "utf8.hpp"

namespace gdpr::identifiers::detail {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

// Characters people write phone numbers with. A whole value with anything
// else (letters: "AB-12345-X", "ext. 12") is not a phone number, even though
// libphonenumber's lenient parser would dig digits out of it.
constexpr bool is_phone_char(char c) noexcept {
  return ascii::is_digit(c) || c == ' ' || c == '+' || c == '(' || c == ')' || c == '-' || c == '.' ||
         c == '/';
}

std::string e164(const PhoneNumber& number) {
  std::string out;
  phone_util().Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

void find_in_window(std::string_view window, std::size_t window_offset, const std::string& region,
                    PhoneRecall recall, std::vector<Match>& out) {
  std::string input(window);
  replace_invalid_utf8(input, '?');  // '?' is no phone punctuation: it splits, never joins
  const auto leniency =
      recall == PhoneRecall::cautious ? PhoneNumberMatcher::POSSIBLE : PhoneNumberMatcher::VALID;
  PhoneNumberMatcher matcher(phone_util(), input, region, leniency, std::numeric_limits<int>::max());
  PhoneNumberMatch found;
  while (matcher.HasNext()) {
    if (!matcher.Next(&found)) break;
    auto start = static_cast<std::size_t>(found.start());
    auto length = static_cast<std::size_t>(found.length());
    if (length == 0 || start + length > window.size()) continue;  // never trust offsets blindly
    // The matcher counts an opening bracket before the digits as part of the
    // number even when it wraps the whole number, "(0905/123-456)"; one that
    // is not closed inside the match is punctuation around it, and redaction
    // must leave it balanced.
    std::string_view raw = window.substr(start, length);
    if ((raw.front() == '(' && raw.find(')') == std::string_view::npos) ||
        (raw.front() == '[' && raw.find(']') == std::string_view::npos)) {
      ++start;
      --length;
    }
    out.push_back(Match{Identifier{Kind::phone, e164(found.number())}, window_offset + start, length});
  }
}

// Word processors and web forms turn "0905 123 456" into "0905\u00a0123\u00a0456"
// or "0905\u2013123\u2013456"; those are read as their ASCII counterparts.
// Any other non-ASCII byte means "not a phone number".
std::string ascii_phone_text(std::string_view value) {
  static constexpr std::string_view kNoBreakSpace = "\xc2\xa0", kEnDash = "\xe2\x80\x93",
                                    kNonBreakingHyphen = "\xe2\x80\x91";
  std::string out;
  out.reserve(value.size());
  while (!value.empty()) {
    if (value.starts_with(kNoBreakSpace)) {
      out.push_back(' ');
      value.remove_prefix(kNoBreakSpace.size());
    } else if (value.starts_with(kEnDash) || value.starts_with(kNonBreakingHyphen)) {
      out.push_back('-');
      value.remove_prefix(kEnDash.size());
    } else {
      out.push_back(value.front());
      value.remove_prefix(1);
    }
  }
  return out;
}

// Parses a whole value that is a valid phone number (see is_phone_char) into
// `number`. (An out-parameter rather than optional<PhoneNumber>: copying a
// protobuf message would tie this library to libprotobuf's symbols.)
bool parse_valid_phone(std::string_view value, std::string_view region, PhoneNumber& number) {
  const std::string text = ascii_phone_text(value);
  bool has_digit = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!is_phone_char(c) || (c == '+' && i != 0)) return false;
    has_digit = has_digit || ascii::is_digit(c);
  }
  if (!has_digit) return false;
  const auto& util = phone_util();
  if (util.Parse(text, phone_region(region), &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  return util.IsValidNumber(number);
}

}  // namespace

std::optional<std::string> canonical_phone(std::string_view value, std::string_view region) {
  PhoneNumber number;
  if (!parse_valid_phone(value, region, number)) return std::nullopt;
  return e164(number);
}

void find_phones(std::string_view text, std::string_view region, std::vector<Match>& out, const Poll& poll,
                 PhoneRecall recall) {
  // A window costs the matcher up to ~0.2 ms; polling every 32 keeps a
  // cancel responsive without measurable overhead.
  constexpr std::size_t kWindowsPerPoll = 32;
  const std::string matcher_region = phone_region(region);
  std::size_t since_poll = 0;
  for (const TextWindow& w : phone_search_windows(text)) {
    if (poll && ++since_poll == kWindowsPerPoll) {
      since_poll = 0;
      poll();
    }
    find_in_window(text.substr(w.begin, w.end - w.begin), w.begin, matcher_region, recall, out);
  }
}

}  // namespace gdpr::identifiers::detail

namespace gdpr::identifiers {

std::optional<PhoneParts> phone_parts(std::string_view value, std::string_view region) {
  i18n::phonenumbers::PhoneNumber number;
  if (!detail::parse_valid_phone(ascii::trim(value), region, number)) return std::nullopt;
  PhoneParts parts;
  parts.country_code = number.country_code();
  detail::phone_util().GetNationalSignificantNumber(number, &parts.national_number);
  return parts;
}

}  // namespace gdpr::identifiers
