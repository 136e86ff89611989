// Which parts of a text the phone-number matcher needs to see.
//
// libphonenumber's PhoneNumberMatcher runs an expensive ICU regular
// expression over every byte it is given, and for every candidate it copies
// and converts the rest of its input again: on 1 MB of support mail in one
// piece it took 14 s (quadratic). Phone numbers are short runs of digits and
// punctuation, so the matcher is only shown small windows around digit
// clusters, each with enough context for its boundary checks (a letter glued
// to the digits, a leading "+" or "(", a trailing "ext. 12" or ":30").
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace gdpr::identifiers::detail {

struct TextWindow {
  std::size_t begin;  // byte offsets into the text, on UTF-8 character boundaries
  std::size_t end;
};

// Windows in order of offset. They may share context bytes, but every digit
// of a cluster that could be (part of) a phone number lies in exactly one
// window, so a number is never found twice or cut in half. Linear time.
std::vector<TextWindow> phone_search_windows(std::string_view text);

}  // namespace gdpr::identifiers::detail
