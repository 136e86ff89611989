// The judgement of gdpr_scan (catalog/scan_rules.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/scan_rules.hpp"

namespace gdpr::catalog::scan {
namespace {

std::optional<Category> by_name(std::string_view column, TypeClass type = TypeClass::text) {
  auto s = suggest_from_name(column, type);
  return s ? std::optional<Category>(s->category) : std::nullopt;
}

TEST(CatalogScanRules, NamesInSeveralLanguages) {
  EXPECT_EQ(by_name("email"), Category::email);
  EXPECT_EQ(by_name("e_mail"), Category::email);
  EXPECT_EQ(by_name("requester_email"), Category::email);
  EXPECT_EQ(by_name("ContactEmail"), Category::email);
  EXPECT_EQ(by_name("mail"), Category::email);
  EXPECT_EQ(by_name("telefon"), Category::phone);
  EXPECT_EQ(by_name("telefonne_cislo"), Category::phone);
  EXPECT_EQ(by_name("phone"), Category::phone);
  EXPECT_EQ(by_name("tel"), Category::phone);
  EXPECT_EQ(by_name("mobil"), Category::phone);
  EXPECT_EQ(by_name("meno"), Category::name);
  EXPECT_EQ(by_name("jmeno"), Category::name);
  EXPECT_EQ(by_name("nachname"), Category::name);
  EXPECT_EQ(by_name("first_name"), Category::name);
  EXPECT_EQ(by_name("name"), Category::name);
  EXPECT_EQ(by_name("adresa"), Category::address);
  EXPECT_EQ(by_name("address"), Category::address);
  EXPECT_EQ(by_name("ulica"), Category::address);
  EXPECT_EQ(by_name("iban"), Category::payment);
  EXPECT_EQ(by_name("client_ip"), Category::ip_address);
  EXPECT_EQ(by_name("ip_address"), Category::ip_address);
  EXPECT_EQ(by_name("email_address"), Category::email);
  EXPECT_EQ(by_name("rodne_cislo"), Category::national_id);
  EXPECT_EQ(by_name("datum_narodenia", TypeClass::date_time), Category::birth_date);
  EXPECT_EQ(by_name("birth_date", TypeClass::date_time), Category::birth_date);
  EXPECT_EQ(by_name("transcript"), Category::free_text);
}

TEST(CatalogScanRules, NamesThatAreNotAboutPeople) {
  EXPECT_FALSE(by_name("product_code"));
  EXPECT_FALSE(by_name("product_name"));
  EXPECT_FALSE(by_name("company_name"));
  EXPECT_FALSE(by_name("file_name"));
  EXPECT_FALSE(by_name("hotel"));  // contains "tel", is not a phone
  EXPECT_FALSE(by_name("status"));
  EXPECT_FALSE(by_name("created_at", TypeClass::date_time));
}

TEST(CatalogScanRules, TypeMustFitTheCategory) {
  EXPECT_FALSE(by_name("email_verified", TypeClass::other));  // boolean
  EXPECT_FALSE(by_name("email_count", TypeClass::number));
  EXPECT_EQ(by_name("phone", TypeClass::number), Category::phone);
  EXPECT_EQ(by_name("client_ip", TypeClass::network), Category::ip_address);
  EXPECT_EQ(by_name("audio", TypeClass::binary), Category::recording);
  EXPECT_FALSE(by_name("name", TypeClass::date_time));
}

TEST(CatalogScanRules, ClassifiesValues) {
  EXPECT_EQ(classify_value("jana.novakova@example.sk", "SK", 2026), Category::email);
  EXPECT_EQ(classify_value("+421 905 123 456", "SK", 2026), Category::phone);
  EXPECT_EQ(classify_value("0905/123 456", "SK", 2026), Category::phone);
  EXPECT_EQ(classify_value("SK31 1200 0000 1987 4263 7541", "SK", 2026), Category::payment);
  EXPECT_EQ(classify_value("192.168.10.1", "SK", 2026), Category::ip_address);
  EXPECT_EQ(classify_value("2001:db8::1", "SK", 2026), Category::ip_address);
  EXPECT_EQ(classify_value("1984-03-17", "SK", 2026), Category::birth_date);
  EXPECT_EQ(classify_value("17.03.1984", "SK", 2026), Category::birth_date);
}

TEST(CatalogScanRules, RecentDatesAreNotBirthDates) {
  EXPECT_FALSE(classify_value("2024-05-01", "SK", 2026));  // a child, or more likely an order date
  EXPECT_FALSE(classify_value("1850-01-01", "SK", 2026));
  ValueEvidence old_dates;
  for (int i = 0; i < 10; ++i) old_dates.add(Category::birth_date);
  auto s = suggest_from_values(old_dates);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->category, Category::birth_date);
  EXPECT_LT(s->confidence, 0.6f);
  old_dates.add(std::nullopt);
  old_dates.add(std::nullopt);
  EXPECT_FALSE(suggest_from_values(old_dates)) << "10 of 12 is not enough for dates alone";
}

TEST(CatalogScanRules, ProductCodesAndPlainNumbersAreNotPersonalData) {
  for (const char* value : {"PRD-10001", "SKU-4432-A", "AB12345678", "100234567", "905123456", "42",
                            "hello world", "SK31 1200 0000 1987 4263 7542" /* checksum off by one */}) {
    EXPECT_FALSE(classify_value(value, "SK", 2026)) << value;
  }
}

TEST(CatalogScanRules, ValuesDecideWhenMostOfTheSampleAgrees) {
  ValueEvidence evidence;
  for (int i = 0; i < 8; ++i) evidence.add(Category::email);
  evidence.add(std::nullopt);
  evidence.add(std::nullopt);
  auto s = suggest_from_values(evidence);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->category, Category::email);
  EXPECT_NEAR(s->confidence, 0.5f + 0.45f * 0.8f, 1e-4);

  ValueEvidence mixed;
  for (int i = 0; i < 4; ++i) mixed.add(Category::phone);
  for (int i = 0; i < 6; ++i) mixed.add(std::nullopt);
  EXPECT_FALSE(suggest_from_values(mixed));
  EXPECT_FALSE(suggest_from_values(ValueEvidence{}));
}

TEST(CatalogScanRules, CombiningNameAndValues) {
  ValueEvidence emails;
  for (int i = 0; i < 10; ++i) emails.add(Category::email);
  auto both = combine(suggest_from_name("email", TypeClass::text), suggest_from_values(emails), emails);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->category, Category::email);
  EXPECT_GT(both->confidence, 0.95f);

  // The name says e-mail, a full sample says otherwise: still suggested, less sure.
  ValueEvidence none;
  for (int i = 0; i < 10; ++i) none.add(std::nullopt);
  auto doubtful = combine(suggest_from_name("mail", TypeClass::text), std::nullopt, none);
  EXPECT_FALSE(doubtful) << "0.5 halved falls under the reporting threshold";
  auto name_only = combine(suggest_from_name("email", TypeClass::text), std::nullopt, ValueEvidence{});
  ASSERT_TRUE(name_only);
  EXPECT_FLOAT_EQ(name_only->confidence, 0.7f);
  EXPECT_FALSE(combine(std::nullopt, std::nullopt, none));
}

TEST(CatalogScanRules, SuggestedLabels) {
  EXPECT_EQ(suggested_label(Category::email), "email; subject");
  EXPECT_EQ(suggested_label(Category::phone), "phone; subject");
  EXPECT_EQ(suggested_label(Category::name), "name");
  EXPECT_EQ(suggested_label(Category::payment), "payment");
}

TEST(CatalogScanRules, ExamplesAreMasked) {
  EXPECT_EQ(mask_example("jana@example.com", Category::email), "j***@example.com");
  EXPECT_EQ(mask_example("+421905123456", Category::phone), "+42********56");
  EXPECT_EQ(mask_example("Ján Kováč", Category::name), "Ján****áč");
  EXPECT_EQ(mask_example("abc", Category::name), "***");
  EXPECT_EQ(mask_example("Bratislava", Category::address), "Bra*****va");
}

}  // namespace
}  // namespace gdpr::catalog::scan
