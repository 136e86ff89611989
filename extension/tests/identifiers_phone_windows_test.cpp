// White-box tests of the windows the phone matcher is shown: they are what
// keeps find_in_text linear, so their promises are checked directly.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "identifiers/phone_windows.hpp"

namespace gdpr::identifiers::detail {
namespace {

std::string shown(std::string_view text) {
  std::string out;
  for (const auto& w : phone_search_windows(text)) {
    // append() rather than operator+: GCC 12 warns falsely (-Wrestrict) on the latter.
    out.append("[").append(text.substr(w.begin, w.end - w.begin)).append("]");
  }
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

TEST(IdentifierPhoneWindows, NoDigitsNoWindows) {
  EXPECT_EQ(shown(""), "");
  EXPECT_EQ(shown("Dobrý deň, ďakujem za rýchlu odpoveď."), "");
  EXPECT_EQ(shown("od 1. 4. do 3. 5., izba 12"), "");  // clusters of < 4 digits are only context
}

TEST(IdentifierPhoneWindows, ContextAroundTheNumber) {
  EXPECT_EQ(shown("Volajte mi prosím na číslo (0905) 123 456 ext. 12, ďakujem pekne."),
            "[íslo (0905) 123 456 ext. 12, ďakuj]");
}

TEST(IdentifierPhoneWindows, NeighbouringNumbersKeepTheirDigitsApart) {
  // Separated by a word: two windows; the context of each stops at the
  // other's digits.
  EXPECT_EQ(shown("0905 123 456 alebo 0911 222 333"), "[0905 123 456 alebo ][ alebo 0911 222 333]");
  // Separated only by punctuation: one cluster, the matcher splits them.
  EXPECT_EQ(shown("0905 123 456, 0911 222 333"), "[0905 123 456, 0911 222 333]");
}

TEST(IdentifierPhoneWindows, NeverHalfACharacter) {
  // Context limits that would fall inside "ň" (2 bytes) or "€" (3 bytes).
  for (std::string text :
       {"ňňňňňňňň0905 123 456ňňňňňňňňňňňň", "€€€€0905 123 456€€€€€€€€€€", "x€€€€0905 123 456x€€€€€€€€€€"}) {
    for (const auto& w : phone_search_windows(text)) {
      EXPECT_FALSE(is_continuation(text[w.begin])) << text;
      EXPECT_TRUE(w.end == text.size() || !is_continuation(text[w.end])) << text;
    }
  }
}

TEST(IdentifierPhoneWindows, TablesOfNumbersAreCutIntoBoundedWindows) {
  std::string text;
  while (text.size() < (256 << 10)) text += "1 234,56 | 0905 123 456 | 2024-03-17\n";
  auto windows = phone_search_windows(text);
  ASSERT_GT(windows.size(), 100u);
  for (const auto& w : windows) EXPECT_LE(w.end - w.begin, 1100u);
}

// Windows are ordered and in bounds, and every digit of a run of 4 or more
// digits is in exactly one window (digits of shorter runs may also appear as
// context of two windows: they can never be a number on their own).
TEST(IdentifierPhoneWindows, RandomTextKeepsThePromises) {
  const std::string pieces[] = {"0", "12", "345", " ", "-", "/", "(",  ")",    "+",
                                ".", ",",  "|",   "a", "ň", "€", "\n", "\xff", "ext. "};
  std::mt19937 random(4242);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    int length = static_cast<int>(random() % 200);
    for (int i = 0; i < length; ++i) text += pieces[random() % std::size(pieces)];
    auto windows = phone_search_windows(text);
    std::vector<int> owners(text.size(), 0);
    std::size_t previous_begin = 0;
    for (const auto& w : windows) {
      ASSERT_LE(previous_begin, w.begin) << text;
      ASSERT_LT(w.begin, w.end) << text;
      ASSERT_LE(w.end, text.size()) << text;
      previous_begin = w.begin;
      for (std::size_t i = w.begin; i < w.end; ++i) ++owners[i];
    }
    for (std::size_t run = 0; run < text.size();) {
      std::size_t end = run;
      while (end < text.size() && is_digit(text[end])) ++end;
      if (end - run >= 4) {
        for (std::size_t i = run; i < end; ++i) ASSERT_EQ(owners[i], 1) << "digit " << i << " of " << text;
      }
      run = end == run ? run + 1 : end;
    }
  }
}

}  // namespace
}  // namespace gdpr::identifiers::detail
