#include <gtest/gtest.h>

#include "identifiers_test_support.hpp"

namespace gdpr::identifiers::testing {
namespace {

TEST(IdentifierIban, ValidIbansOfSeveralCountries) {
  for (std::string_view iban :
       {"SK3112000000198742637541", "DE89370400440532013000", "GB29NWBK60161331926819",
        "CH9300762011623852957", "AT611904300234573201", "FR1420041010050500013M02606", "NL91ABNA0417164300",
        "NO9386011117947", "BE68539007547034"}) {
    EXPECT_TRUE(is_valid_iban(iban)) << iban;
    EXPECT_EQ(classify(iban), "iban:" + std::string(iban));
  }
}

TEST(IdentifierIban, NormalisesSpacesAndCase) {
  EXPECT_EQ(classify("SK31 1200 0000 1987 4263 7541"), "iban:SK3112000000198742637541");
  EXPECT_EQ(classify(" sk31 1200 0000 1987 4263 7541 "), "iban:SK3112000000198742637541");
  EXPECT_EQ(classify("gb29 nwbk 6016 1331 9268 19"), "iban:GB29NWBK60161331926819");
  EXPECT_EQ(classify("SK3112 0000001987 42637541"), "iban:SK3112000000198742637541");
}

TEST(IdentifierIban, RejectsBadChecksumLengthOrCountry) {
  EXPECT_FALSE(is_valid_iban("SK3112000000198742637542"));   // last digit changed
  EXPECT_FALSE(is_valid_iban("SK1312000000198742637541"));   // check digits swapped
  EXPECT_FALSE(is_valid_iban("SK311200000019874263754"));    // one digit short
  EXPECT_FALSE(is_valid_iban("SK31120000001987426375410"));  // one digit long
  EXPECT_FALSE(is_valid_iban("QQ3112000000198742637541"));   // no such country
  EXPECT_FALSE(is_valid_iban("SK31-1200-0000-1987-4263-7541"));
  EXPECT_FALSE(is_valid_iban(""));
  EXPECT_FALSE(is_valid_iban("SK"));
  EXPECT_EQ(classify("SK3112000000198742637542"), "literal:SK3112000000198742637542");
}

TEST(IdentifierIban, FoundInTextGroupedOrCompact) {
  EXPECT_EQ(found("IBAN: SK31 1200 0000 1987 4263 7541."), "iban:SK3112000000198742637541@6+29");
  EXPECT_EQ(found("na účet SK3112000000198742637541 prosím"), "iban:SK3112000000198742637541@10+24");
  EXPECT_EQ(found("(GB29 NWBK 6016 1331 9268 19)"), "iban:GB29NWBK60161331926819@1+27");
}

TEST(IdentifierIban, NotFoundWithBadChecksumOrInsideWords) {
  EXPECT_EQ(found("IBAN: SK31 1200 0000 1987 4263 7542"), "");
  EXPECT_EQ(found("XSK3112000000198742637541"), "");
  EXPECT_EQ(found("SK3112000000198742637541X"), "");
  // Irregular grouping is not the printed form; it is not guessed at.
  EXPECT_EQ(found("SK31 12 00 0000 1987 4263 7541"), "");
}

TEST(IdentifierIban, GroupedIbanFollowedByDigitsStillFound) {
  EXPECT_EQ(found("SK31 1200 0000 1987 4263 7541 1234"), "iban:SK3112000000198742637541@0+29");
}

}  // namespace
}  // namespace gdpr::identifiers::testing
