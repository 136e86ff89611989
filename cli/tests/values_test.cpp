// Unit tests of the value conversions behind gdprctl's xlsx and csv output.
#include <gtest/gtest.h>

#include "values.hpp"

using namespace gdprctl;

TEST(GdprctlValues, KindsFromPostgresTypes) {
  EXPECT_EQ(kind_of("bigint"), ValueKind::number);
  EXPECT_EQ(kind_of("numeric(10,2)"), ValueKind::number);
  EXPECT_EQ(kind_of("timestamp with time zone"), ValueKind::timestamp);
  EXPECT_EQ(kind_of("timestamp(3) without time zone"), ValueKind::timestamp);
  EXPECT_EQ(kind_of("date"), ValueKind::date);
  EXPECT_EQ(kind_of("bytea"), ValueKind::binary);
  EXPECT_EQ(kind_of("boolean"), ValueKind::boolean);
  EXPECT_EQ(kind_of("text"), ValueKind::text);
  EXPECT_EQ(kind_of("character varying(20)"), ValueKind::text);
}

TEST(GdprctlValues, ParsesJsonbTimestampsAsWallClock) {
  auto d = parse_datetime("2026-03-01T09:31:02.25+01:00");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->month, 3);
  EXPECT_EQ(d->day, 1);
  EXPECT_EQ(d->hour, 9);
  EXPECT_EQ(d->minute, 31);
  EXPECT_DOUBLE_EQ(d->second, 2.25);
  auto date = parse_datetime("1999-12-31");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->hour, 0);
  EXPECT_TRUE(parse_datetime("2026-03-01 09:31:02"));
  EXPECT_FALSE(parse_datetime("infinity"));
  EXPECT_FALSE(parse_datetime("2026-13-01"));
  EXPECT_FALSE(parse_datetime("0044-03-15 BC"));
  EXPECT_FALSE(parse_datetime("2026-03-01T25:00:00"));
  EXPECT_FALSE(parse_datetime("2026-03-01Tgarbage"));
}

TEST(GdprctlValues, NumbersOnlyWhenExact) {
  EXPECT_EQ(parse_number("2.45"), 2.45);
  EXPECT_EQ(parse_number("-187"), -187.0);
  EXPECT_FALSE(parse_number("9007199254740993"));  // beyond 2^53
  EXPECT_FALSE(parse_number("0.12345678901234567"));
  EXPECT_FALSE(parse_number("NaN"));
  EXPECT_FALSE(parse_number("12abc"));
  EXPECT_FALSE(parse_number(""));
}

TEST(GdprctlValues, SheetNamesAreValidAndUnique) {
  std::set<std::string> used{"about this export"};
  EXPECT_EQ(sheet_name("public.calls", used), "calls");
  EXPECT_EQ(sheet_name("crm.calls", used), "crm.calls");
  EXPECT_EQ(sheet_name("public.CALLS", used), "CALLS (2)");
  EXPECT_EQ(sheet_name("public.a[b]:c*d?e/f\\g", used), "a_b__c_d_e_f_g");
  const std::string longname = sheet_name("public.a_very_long_table_name_that_excel_refuses", used);
  EXPECT_LE(longname.size(), 31u);
  EXPECT_EQ(sheet_name("public.About this export", used), "About this export (2)");
  // Cut at a character boundary: "ž" is two bytes.
  std::set<std::string> fresh;
  const std::string cut = sheet_name("public." + std::string(30, 'x') + "žž", fresh);
  EXPECT_EQ(cut, std::string(30, 'x'));
}

TEST(GdprctlValues, CsvQuotingFollowsRfc4180) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_file_name("public.calls"), "calls.csv");
  EXPECT_EQ(csv_file_name("crm.a/b"), "crm.a_b.csv");
  EXPECT_EQ(csv_file_name("public...."), "_....csv");
}

TEST(GdprctlValues, BinarySizeAndHeaders) {
  EXPECT_EQ(base64_decoded_size("UklGRg=="), 4u);
  EXPECT_EQ(base64_decoded_size("UklG\nRkFC"), 6u);
  EXPECT_EQ(without_newlines("ab\ncd\r\n"), "abcd");
  EXPECT_EQ(readable_header("created_at"), "Created at");
  EXPECT_EQ(display_width("Testová"), 7u);
  EXPECT_EQ(listed_because("subject column", "email, phone"), "identifies you (email, phone)");
  EXPECT_EQ(listed_because("linked", ""), "belongs to one of your records");
  EXPECT_EQ(listed_because("free text", "body"), "mentions you (body)");
}
