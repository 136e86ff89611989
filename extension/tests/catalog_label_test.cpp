// The grammar of gdpr security labels (catalog/label.hpp).
#include <gtest/gtest.h>

#include <string>

#include "catalog/label.hpp"
#include "pg/error.hpp"

namespace gdpr::catalog {
namespace {

// Runs f, expects a gdpr::Error, returns it for inspection.
template <typename F>
Error refusal(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected gdpr::Error";
  return Error("00000", "");
}

TEST(CatalogLabel, CategoryNamesRoundTrip) {
  for (auto name : category_names()) {
    auto category = parse_category(name);
    ASSERT_TRUE(category.has_value()) << name;
    EXPECT_EQ(category_name(*category), name);
  }
  EXPECT_EQ(category_names().size(), 12u);
  EXPECT_FALSE(parse_category("Email"));  // parse_category is exact; labels fold case first
  EXPECT_FALSE(parse_category(""));
}

TEST(CatalogLabel, ParsesColumnLabelWithAllOptions) {
  ColumnLabel label = parse_column_label("email; subject; purpose=support tickets; basis=contract");
  EXPECT_EQ(label.category, Category::email);
  EXPECT_TRUE(label.subject);
  EXPECT_EQ(label.purpose, "support tickets");
  EXPECT_EQ(label.basis, "contract");
  EXPECT_EQ(to_text(label), "email; subject; purpose=support tickets; basis=contract");
}

TEST(CatalogLabel, SpacingAndCaseDoNotMatterAndCanonicalFormIsStable) {
  ColumnLabel messy = parse_column_label("  Phone ;SUBJECT;  Basis = Legitimate_Interest ");
  EXPECT_EQ(to_text(messy), "phone; subject; basis=legitimate_interest");
  EXPECT_EQ(parse_column_label(to_text(messy)), messy);
  EXPECT_EQ(to_text(parse_column_label("free_text")), "free_text");
}

TEST(CatalogLabel, PurposeKeepsItsCaseAndOptionsMayComeInAnyOrder) {
  ColumnLabel label = parse_column_label("name; purpose=Billing (EU); subject");
  EXPECT_EQ(label.purpose, "Billing (EU)");
  EXPECT_TRUE(label.subject);
  EXPECT_EQ(to_text(label), "name; subject; purpose=Billing (EU)");
}

TEST(CatalogLabel, TypoInCategoryIsRefusedWithSuggestion) {
  Error e = refusal([] { parse_column_label("emial; subject"); });
  EXPECT_STREQ(e.sqlstate(), "22023");
  EXPECT_EQ(std::string(e.what()), "unknown gdpr category \"emial\"");
  EXPECT_NE(e.hint().find("Did you mean \"email\"?"), std::string::npos) << e.hint();
  EXPECT_NE(e.hint().find("birth_date"), std::string::npos) << "hint lists the categories: " << e.hint();
}

TEST(CatalogLabel, UnrelatedWordGetsNoSuggestionButTheList) {
  Error e = refusal([] { parse_column_label("customer"); });
  EXPECT_EQ(e.hint().find("Did you mean"), std::string::npos) << e.hint();
  EXPECT_NE(e.hint().find("Categories: email, phone"), std::string::npos) << e.hint();
}

TEST(CatalogLabel, TypoInOptionIsRefusedWithSuggestion) {
  Error e = refusal([] { parse_column_label("email; subjct"); });
  EXPECT_EQ(std::string(e.what()), "unknown option \"subjct\" in gdpr column label");
  EXPECT_NE(e.hint().find("Did you mean \"subject\"?"), std::string::npos) << e.hint();
}

TEST(CatalogLabel, UnknownBasisIsRefusedWithTheLawfulBases) {
  Error e = refusal([] { parse_column_label("email; basis=contrakt"); });
  EXPECT_NE(std::string(e.what()).find("unknown legal basis \"contrakt\""), std::string::npos);
  EXPECT_NE(e.hint().find("Did you mean \"contract\"?"), std::string::npos) << e.hint();
  EXPECT_NE(e.hint().find("legitimate_interest"), std::string::npos);
}

TEST(CatalogLabel, SubjectOnFreeTextOrRecordingIsRefused) {
  Error e = refusal([] { parse_column_label("free_text; subject"); });
  EXPECT_STREQ(e.sqlstate(), "22023");
  EXPECT_EQ(std::string(e.what()), "a free_text column cannot be a subject column");
  refusal([] { parse_column_label("recording; subject"); });
  EXPECT_TRUE(category_allows_subject(Category::phone));
}

TEST(CatalogLabel, MalformedColumnLabelsAreRefused) {
  for (const char* bad : {"", "   ", "email;", "email;; subject", "email; subject; subject", "subject=yes",
                          "email; subject=yes", "email; purpose=", "email; phone",
                          "email; purpose=a; purpose=b", "email; purpose=24\" screens; basis=consent"}) {
    Error e = refusal([&] { parse_column_label(bad); });
    EXPECT_STREQ(e.sqlstate(), "22023") << bad;
    EXPECT_FALSE(e.hint().empty()) << bad;
  }
}

TEST(CatalogLabel, TableOptionOnAColumnPointsToTheTable) {
  Error e = refusal([] { parse_column_label("erase=delete"); });
  EXPECT_NE(e.hint().find("ON TABLE"), std::string::npos) << e.hint();
  Error e2 = refusal([] { parse_column_label("email; retention=1 year"); });
  EXPECT_EQ(std::string(e2.what()), "\"retention\" is a table option, not a column option");
}

TEST(CatalogLabel, ParsesTableLabel) {
  TableLabel label = parse_table_label("erase=anonymize; retention=2 years; retention_column=started_at");
  EXPECT_EQ(label.erase, EraseMode::anonymize);
  EXPECT_EQ(label.retention, "2 years");
  EXPECT_EQ(label.retention_column, "started_at");
  EXPECT_EQ(to_text(label), "erase=anonymize; retention=2 years; retention_column=started_at");
  EXPECT_EQ(to_text(parse_table_label(" ERASE = Delete ")), "erase=delete");
  EXPECT_FALSE(parse_table_label("retention=90 days; retention_column=created_at").erase.has_value());
}

TEST(CatalogLabel, RetentionColumnFollowsSqlIdentifierRules) {
  EXPECT_EQ(parse_table_label("retention=1 day; retention_column=Created_At").retention_column, "created_at");
  TableLabel quoted = parse_table_label("retention=1 day; retention_column=\"Created; At\"");
  EXPECT_EQ(quoted.retention_column, "Created; At");
  EXPECT_EQ(to_text(quoted), "retention=1 day; retention_column=\"Created; At\"");
  refusal([] { parse_table_label("retention=1 day; retention_column=created at"); });
  refusal([] { parse_table_label("retention=1 day; retention_column=\"\""); });
}

TEST(CatalogLabel, MalformedTableLabelsAreRefused) {
  Error typo = refusal([] { parse_table_label("erase=anonymise"); });
  EXPECT_NE(typo.hint().find("Did you mean \"anonymize\"?"), std::string::npos) << typo.hint();
  Error key = refusal([] { parse_table_label("retension=1 year; retention_column=x"); });
  EXPECT_NE(key.hint().find("Did you mean \"retention\"?"), std::string::npos) << key.hint();
  Error half = refusal([] { parse_table_label("retention=1 year"); });
  EXPECT_EQ(std::string(half.what()), "retention needs a retention_column");
  refusal([] { parse_table_label("retention_column=created_at"); });
  refusal([] { parse_table_label("erase=delete; erase=anonymize"); });
  refusal([] { parse_table_label("erase="); });
  Error column = refusal([] { parse_table_label("email; subject"); });
  EXPECT_NE(std::string(column.what()).find("belongs on a column"), std::string::npos);
  Error purpose = refusal([] { parse_table_label("purpose=billing"); });
  EXPECT_EQ(std::string(purpose.what()), "\"purpose\" is a column option, not a table option");
}

TEST(CatalogLabel, ClosestWord) {
  EXPECT_EQ(closest_word("phnoe", category_names()), "phone");
  EXPECT_EQ(closest_word("EMAIL", category_names()), "email");
  EXPECT_EQ(closest_word("freetext", category_names()), "free_text");
  EXPECT_FALSE(closest_word("xyz", category_names()));
  EXPECT_FALSE(closest_word("car", category_names()));
}

TEST(CatalogLabel, QuoteIdentifier) {
  EXPECT_EQ(quote_identifier("started_at"), "started_at");
  EXPECT_EQ(quote_identifier("Started"), "\"Started\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier("1st"), "\"1st\"");
}

}  // namespace
}  // namespace gdpr::catalog
