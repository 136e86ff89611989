#include <gtest/gtest.h>

#include "identifiers_test_support.hpp"

namespace gdpr::identifiers::testing {
namespace {

TEST(IdentifierNormalize, BlankIsNothing) {
  EXPECT_EQ(classify(""), "none");
  EXPECT_EQ(classify("   \t\r\n"), "none");
  for (Kind kind : {Kind::email, Kind::phone, Kind::iban, Kind::ip_address, Kind::date, Kind::literal})
    EXPECT_FALSE(normalize_as(kind, "  ", kRegion)) << kind_name(kind);
}

TEST(IdentifierNormalize, KindNames) {
  EXPECT_EQ(kind_name(Kind::email), "email");
  EXPECT_EQ(kind_name(Kind::phone), "phone");
  EXPECT_EQ(kind_name(Kind::iban), "iban");
  EXPECT_EQ(kind_name(Kind::ip_address), "ip_address");
  EXPECT_EQ(kind_name(Kind::date), "date");
  EXPECT_EQ(kind_name(Kind::literal), "literal");
}

TEST(IdentifierNormalize, IpAddressesInCanonicalText) {
  EXPECT_EQ(classify("192.168.1.10"), "ip_address:192.168.1.10");
  EXPECT_EQ(classify(" 2001:DB8:0:0:0:0:0:1 "), "ip_address:2001:db8::1");
  EXPECT_EQ(classify("::ffff:10.0.0.1"), "ip_address:::ffff:10.0.0.1");
  EXPECT_EQ(classify("10.1"), "literal:10.1");
  EXPECT_EQ(classify("256.1.1.1"), "literal:256.1.1.1");
  EXPECT_EQ(classify("01.2.3.4"), "literal:01.2.3.4");
  EXPECT_FALSE(normalize_as(Kind::ip_address, std::string(100, '1'), kRegion));
}

TEST(IdentifierNormalize, DatesInIsoForm) {
  EXPECT_EQ(classify("1984-03-17"), "date:1984-03-17");
  EXPECT_EQ(classify("17.03.1984"), "date:1984-03-17");
  EXPECT_EQ(classify("17.3.1984"), "date:1984-03-17");
  EXPECT_EQ(classify("17. 3. 1984"), "date:1984-03-17");
  EXPECT_EQ(classify("17/03/1984"), "date:1984-03-17");
  EXPECT_EQ(classify("29.02.2024"), "date:2024-02-29");
}

TEST(IdentifierNormalize, ImpossibleDatesAreNotDates) {
  for (std::string_view value : {"31.02.1984", "29.02.2023", "1984-13-01", "1984-00-10", "00.01.1984",
                                 "17.03.84", "1984-3-17", "17-03-1984", "17.03/1984", "0017-03-17"})
    EXPECT_FALSE(normalize_as(Kind::date, value, kRegion)) << value;
  // None of them may become a phone number either.
  EXPECT_EQ(classify("31.02.1984"), "literal:31.02.1984");
}

TEST(IdentifierNormalize, ADateIsNeverAPhone) {
  EXPECT_EQ(classify("17.03.1984"), "date:1984-03-17");
  EXPECT_EQ(classify("2024-03-17"), "date:2024-03-17");
}

TEST(IdentifierNormalize, LiteralsKeepTheirCase) {
  EXPECT_EQ(classify("  AB-12345-X "), "literal:AB-12345-X");
  EXPECT_EQ(classify("Jane Doe"), "literal:Jane Doe");
  EXPECT_EQ(classify("#12345"), "literal:#12345");
  EXPECT_EQ(classify("1 234,56 EUR"), "literal:1 234,56 EUR");
  EXPECT_EQ(classify("Nováková"), "literal:Nováková");
}

TEST(IdentifierNormalize, NormalizeAsChecksTheKind) {
  EXPECT_EQ(normalize_as(Kind::email, " A@B.cz ", kRegion), (Identifier{Kind::email, "a@b.cz"}));
  EXPECT_FALSE(normalize_as(Kind::email, "0905 123 456", kRegion));
  EXPECT_EQ(normalize_as(Kind::literal, " jane@example.com ", kRegion),
            (Identifier{Kind::literal, "jane@example.com"}));
  EXPECT_FALSE(normalize_as(Kind::iban, "0905 123 456", kRegion));
}

TEST(IdentifierNormalize, InvalidUtf8IsALiteral) {
  std::string value = "abc\xff\xfe";
  EXPECT_EQ(classify(value), "literal:" + value);
}

TEST(IdentifierNormalize, WarmUpIsHarmlessToRepeat) {
  warm_up();
  warm_up();
  EXPECT_EQ(classify("0905 123 456"), "phone:+421905123456");
}

}  // namespace
}  // namespace gdpr::identifiers::testing
