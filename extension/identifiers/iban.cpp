// IBANs (ISO 13616): a two-letter country code, two check digits and a
// country-specific BBAN, verified with the ISO 7064 mod-97-10 checksum and
// the registry's length for the country. Countries outside the table are not
// recognised: a length check is what keeps a 1-in-97 checksum collision from
// turning random alphanumeric codes into "IBANs".
#include <array>
#include <cstddef>
#include <cstdint>

#include "ascii.hpp"
#include "recognisers.hpp"

namespace gdpr::identifiers::detail {
namespace {

struct CountryLength {
  char code[3];
  std::uint8_t length;
};

// SWIFT IBAN registry: every EU/EEA country, GB and CH, plus the European
// non-EU countries and a few others that customers of an EU business use.
constexpr std::array kIbanLengths{
    CountryLength{"AD", 24}, CountryLength{"AE", 23}, CountryLength{"AL", 28}, CountryLength{"AT", 20},
    CountryLength{"BA", 20}, CountryLength{"BE", 16}, CountryLength{"BG", 22}, CountryLength{"CH", 21},
    CountryLength{"CY", 28}, CountryLength{"CZ", 24}, CountryLength{"DE", 22}, CountryLength{"DK", 18},
    CountryLength{"EE", 20}, CountryLength{"ES", 24}, CountryLength{"FI", 18}, CountryLength{"FO", 18},
    CountryLength{"FR", 27}, CountryLength{"GB", 22}, CountryLength{"GE", 22}, CountryLength{"GI", 23},
    CountryLength{"GL", 18}, CountryLength{"GR", 27}, CountryLength{"HR", 21}, CountryLength{"HU", 28},
    CountryLength{"IE", 22}, CountryLength{"IL", 23}, CountryLength{"IS", 26}, CountryLength{"IT", 27},
    CountryLength{"LI", 21}, CountryLength{"LT", 20}, CountryLength{"LU", 20}, CountryLength{"LV", 21},
    CountryLength{"MC", 27}, CountryLength{"MD", 24}, CountryLength{"ME", 22}, CountryLength{"MK", 19},
    CountryLength{"MT", 31}, CountryLength{"NL", 18}, CountryLength{"NO", 15}, CountryLength{"PL", 28},
    CountryLength{"PT", 25}, CountryLength{"RO", 24}, CountryLength{"RS", 22}, CountryLength{"SA", 24},
    CountryLength{"SE", 24}, CountryLength{"SI", 19}, CountryLength{"SK", 24}, CountryLength{"SM", 27},
    CountryLength{"TR", 26}, CountryLength{"UA", 29}, CountryLength{"VA", 22}, CountryLength{"XK", 20},
};

// 0 when the (case-insensitive) country is not in the table.
std::size_t iban_length(char c0, char c1) noexcept {
  c0 = ascii::to_upper(c0);
  c1 = ascii::to_upper(c1);
  for (const auto& entry : kIbanLengths)
    if (entry.code[0] == c0 && entry.code[1] == c1) return entry.length;
  return 0;
}

// `compact` is upper-case alphanumeric of the country's length.
bool checksum_ok(std::string_view compact) noexcept {
  // Move the first four characters to the end, read letters as 10..35, and
  // take the number mod 97 digit by digit (it has up to 68 digits).
  unsigned remainder = 0;
  auto feed = [&](char c) {
    if (ascii::is_digit(c)) {
      remainder = (remainder * 10 + static_cast<unsigned>(c - '0')) % 97;
    } else {
      unsigned value = static_cast<unsigned>(c - 'A') + 10;
      remainder = (remainder * 100 + value) % 97;
    }
  };
  for (char c : compact.substr(4)) feed(c);
  for (char c : compact.substr(0, 4)) feed(c);
  return remainder == 1;
}

// Upper-cases `candidate` (alphanumeric only, spaces already removed) and
// checks structure, length and checksum.
std::optional<std::string> verify_compact(std::string candidate) {
  for (char& c : candidate) c = ascii::to_upper(c);
  if (candidate.size() < 5) return std::nullopt;
  if (!ascii::is_alpha(candidate[0]) || !ascii::is_alpha(candidate[1]) || !ascii::is_digit(candidate[2]) ||
      !ascii::is_digit(candidate[3]))
    return std::nullopt;
  if (candidate.size() != iban_length(candidate[0], candidate[1])) return std::nullopt;
  for (char c : candidate)
    if (!ascii::is_alnum(c)) return std::nullopt;
  if (!checksum_ok(candidate)) return std::nullopt;
  return candidate;
}

}  // namespace

// A whole value may carry spaces anywhere (people group IBANs differently).
std::optional<std::string> canonical_iban(std::string_view value) {
  std::string compact;
  compact.reserve(value.size());
  for (char c : value) {
    if (c == ' ') continue;
    if (!ascii::is_alnum(c)) return std::nullopt;
    compact.push_back(c);
  }
  return verify_compact(std::move(compact));
}

// In text an IBAN is either one block or the printed form in groups of four
// separated by single spaces ("SK31 1200 0000 1987 4263 7541"). It must start
// and end at a word boundary. Each start is examined over at most ~40 bytes,
// so the scan is linear.
void find_ibans(std::string_view text, std::vector<Match>& out) {
  std::size_t i = 0;
  while (i + 4 <= text.size()) {
    bool at_word_start = i == 0 || !ascii::is_alnum(text[i - 1]);
    std::size_t length = 0;
    if (at_word_start && ascii::is_alpha(text[i]) && ascii::is_alpha(text[i + 1]) &&
        ascii::is_digit(text[i + 2]) && ascii::is_digit(text[i + 3]))
      length = iban_length(text[i], text[i + 1]);
    if (length == 0) {
      ++i;
      continue;
    }
    std::string compact(text.substr(i, 4));
    std::size_t pos = i + 4;
    while (compact.size() < length && pos < text.size()) {
      if (ascii::is_alnum(text[pos])) {
        compact.push_back(text[pos++]);
      } else if (text[pos] == ' ' && compact.size() % 4 == 0 && pos + 1 < text.size() &&
                 ascii::is_alnum(text[pos + 1])) {
        ++pos;
      } else {
        break;
      }
    }
    bool at_word_end = pos == text.size() || !ascii::is_alnum(text[pos]);
    if (compact.size() == length && at_word_end) {
      if (auto iban = verify_compact(std::move(compact))) {
        out.push_back(Match{Identifier{Kind::iban, std::move(*iban)}, i, pos - i});
        i = pos;
        continue;
      }
    }
    ++i;
  }
}

}  // namespace gdpr::identifiers::detail
