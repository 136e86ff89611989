// Minimal UTF-8 validation, for handing text to libphonenumber (whose matcher
// silently finds nothing at all in a string with one invalid byte).
#pragma once

#include <string>

namespace gdpr::identifiers::detail {

// Replaces every byte that is not part of a well-formed UTF-8 sequence with
// `replacement` (ASCII), in place. Byte offsets are preserved.
void replace_invalid_utf8(std::string& text, char replacement) noexcept;

}  // namespace gdpr::identifiers::detail
