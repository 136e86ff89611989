#include <gtest/gtest.h>

#include "identifiers_test_support.hpp"

namespace gdpr::identifiers::testing {
namespace {

// The notations of issue 4: all the same Slovak mobile number.
constexpr std::string_view kNotations[] = {
    "+421 905 123 456", "00421905123456", "0905/123-456",  "(0905) 123 456", "(0905) 123456",
    "0905 123 456",     "0905123456",     "+421905123456", "0905-123-456",   "+421 (0) 905 123 456",
};

TEST(IdentifierPhone, EveryNotationNormalisesToE164) {
  for (auto notation : kNotations) EXPECT_EQ(classify(notation), "phone:+421905123456") << notation;
}

TEST(IdentifierPhone, EveryNotationIsFoundInText) {
  for (auto notation : kNotations) {
    std::string text = "Volajte mi na " + std::string(notation) + ", ďakujem.";
    EXPECT_EQ(found(text), "phone:+421905123456@14+" + std::to_string(notation.size())) << text;
  }
}

TEST(IdentifierPhone, RegionDecidesNationalNotation) {
  EXPECT_EQ(classify("0905 123 456", "sk"), "phone:+421905123456");  // region case does not matter
  EXPECT_EQ(classify("030 1234567", "DE"), "phone:+49301234567");
  EXPECT_EQ(classify("+49 30 1234567", "SK"), "phone:+49301234567");  // international needs no region
  // Without a usable region only international notation is a phone number.
  EXPECT_EQ(classify("0905 123 456", ""), "literal:0905 123 456");
  EXPECT_EQ(classify("0905 123 456", "not a region"), "literal:0905 123 456");
  EXPECT_EQ(classify("+421 905 123 456", ""), "phone:+421905123456");
  // "00" is an international prefix only where it is dialled as one.
  EXPECT_EQ(classify("00421905123456", "GB"), "phone:+421905123456");
  EXPECT_EQ(classify("00421905123456", ""), "literal:00421905123456");
}

TEST(IdentifierPhone, TypographicSpacesAndDashes) {
  EXPECT_EQ(classify("0905\xc2\xa0"
                     "123\xc2\xa0"
                     "456"),
            "phone:+421905123456");  // no-break spaces
  EXPECT_EQ(classify("0905\xe2\x80\x93"
                     "123\xe2\x80\x93"
                     "456"),
            "phone:+421905123456");  // en dashes
  EXPECT_EQ(found("tel 0905\xc2\xa0"
                  "123\xc2\xa0"
                  "456 ok"),
            "phone:+421905123456@4+14");
  EXPECT_EQ(classify("0905\xc2\xb7"
                     "123"),
            "literal:0905\xc2\xb7"
            "123");  // other non-ASCII: no
}

TEST(IdentifierPhone, ExtensionBelongsToTheMatchButNotTheNumber) {
  EXPECT_EQ(found("0905 123 456 ext. 12, thanks"), "phone:+421905123456@0+20");
  EXPECT_EQ(redact("0905 123 456 ext. 12, thanks", kRegion), "[phone], thanks");
}

TEST(IdentifierPhone, BracketsAroundTheNumberStayBalanced) {
  EXPECT_EQ(redact("the old one (0905/123-456).", kRegion), "the old one ([phone]).");
  EXPECT_EQ(redact("[+421 905 123 456]", kRegion), "[[phone]]");
  // Brackets that belong to the number (an area code) are part of the match.
  EXPECT_EQ(redact("volajte (0905) 123 456.", kRegion), "volajte [phone].");
  EXPECT_EQ(redact("volajte ((0905) 123 456).", kRegion), "volajte ([phone]).");
}

TEST(IdentifierPhone, PartsForMasks) {
  EXPECT_EQ(phone_parts(" 0905/123-456 ", kRegion), (PhoneParts{421, "905123456"}));
  EXPECT_EQ(phone_parts("+44 20 7946 0958", kRegion), (PhoneParts{44, "2079460958"}));
  EXPECT_FALSE(phone_parts("0905 123", kRegion));
  EXPECT_FALSE(phone_parts("17.03.1984", kRegion));
  EXPECT_FALSE(phone_parts("AB-12345-X", kRegion));
}

TEST(IdentifierPhone, LandlinesAndOtherCountries) {
  EXPECT_EQ(classify("02/5939 5111"), "phone:+421259395111");
  EXPECT_EQ(classify("+44 20 7946 0958"), "phone:+442079460958");
  EXPECT_EQ(classify("0043 1 234 5678"), "phone:+4312345678");
}

TEST(IdentifierPhone, InvalidNumbersAreNotPhones) {
  for (std::string_view value : {"0905 123", "12345", "+421 905", "123456789", "0000 000 000", "+", "()"}) {
    auto id = normalize_as(Kind::phone, value, kRegion);
    EXPECT_FALSE(id.has_value()) << value << " -> " << (id ? id->value : "");
  }
}

TEST(IdentifierPhone, ValuesWithLettersAreNotPhones) {
  EXPECT_EQ(classify("AB-12345-X"), "literal:AB-12345-X");
  EXPECT_FALSE(normalize_as(Kind::phone, "0905 123 456 ext. 12", kRegion));
  EXPECT_FALSE(normalize_as(Kind::phone, "tel 0905123456", kRegion));
  EXPECT_FALSE(normalize_as(Kind::phone, "0905+123456", kRegion));
}

TEST(IdentifierPhone, DigitRunsThatAreNotPhonesAreNotFound) {
  EXPECT_EQ(found("Objednávka #12345 zo dňa 2024-03-17, suma 1 234,56 EUR."), "");
  EXPECT_EQ(found("order 123456789 and invoice 2024/0042"), "");
  EXPECT_EQ(found("narodená 17.03.1984, 17/03/1984"), "");
  EXPECT_EQ(found("product AB-12345-X, serial 20240317001"), "");
  EXPECT_EQ(found("ref905123456"), "");  // glued to a word
  EXPECT_EQ(found("12.03.2024 10:30"), "");
  EXPECT_EQ(found("volajte 0905 123, vďaka"), "");  // too short to be valid
  EXPECT_EQ(found("IBAN SK31 1200 0000 1987 4263 7541"), "iban:SK3112000000198742637541@5+29");
}

}  // namespace
}  // namespace gdpr::identifiers::testing
