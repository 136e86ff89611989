#include <gtest/gtest.h>

#include "identifiers_test_support.hpp"

namespace gdpr::identifiers::testing {
namespace {

TEST(IdentifierEmail, NormalisesTrimmedAndLowerCased) {
  EXPECT_EQ(classify("jane@example.com"), "email:jane@example.com");
  EXPECT_EQ(classify("  Jane.Doe@Example.COM \n"), "email:jane.doe@example.com");
  EXPECT_EQ(classify("JANE+tickets@mail.example.co.uk"), "email:jane+tickets@mail.example.co.uk");
  EXPECT_EQ(classify("j_a-n%e@sub-domain.example.sk"), "email:j_a-n%e@sub-domain.example.sk");
}

TEST(IdentifierEmail, SameAddressInAnyCaseIsOneIdentifier) {
  EXPECT_EQ(normalize("JANE@EXAMPLE.COM", kRegion), normalize("jane@example.com", kRegion));
}

TEST(IdentifierEmail, RejectsMalformedAddresses) {
  for (std::string_view bad :
       {"foo@bar", "@example.com", "jane@", "jane@@example.com", "jane@example..com", ".jane@example.com",
        "jane.@example.com", "ja..ne@example.com", "jane@-example.com", "jane@example-.com", "jane@example.c",
        "jane@example.c0m", "jane doe@example.com", "jane@exa mple.com", "a@b@example.com"}) {
    EXPECT_FALSE(looks_like_email(bad)) << bad;
    EXPECT_NE(classify(bad).rfind("email:", 0), 0u) << bad;
  }
}

TEST(IdentifierEmail, EnforcesLengthLimits) {
  std::string local64(64, 'a');
  EXPECT_TRUE(looks_like_email(local64 + "@example.com"));
  EXPECT_FALSE(looks_like_email(local64 + "a@example.com"));
  std::string label64(64, 'b');
  EXPECT_FALSE(looks_like_email("jane@" + label64 + ".com"));
}

TEST(IdentifierEmail, LooksLikeEmailIgnoresSurroundingSpace) {
  EXPECT_TRUE(looks_like_email(" jane@example.com "));
  EXPECT_FALSE(looks_like_email(""));
  EXPECT_FALSE(looks_like_email("   "));
}

TEST(IdentifierEmail, FoundInsidePunctuation) {
  EXPECT_EQ(found("<jane@example.com>"), "email:jane@example.com@1+16");
  EXPECT_EQ(found("mailto:Jane@Example.com"), "email:jane@example.com@7+16");
  EXPECT_EQ(found("write to jane@example.com."), "email:jane@example.com@9+16");
  EXPECT_EQ(found("jane@example.com, joe@example.org;"),
            "email:jane@example.com@0+16 email:joe@example.org@18+15");
  EXPECT_EQ(found("(jane@example.com)"), "email:jane@example.com@1+16");
  EXPECT_EQ(found("\"jane@example.com\""), "email:jane@example.com@1+16");
  EXPECT_EQ(found("see...jane@example.com"), "email:jane@example.com@6+16");
}

TEST(IdentifierEmail, NotFoundWithoutTld) {
  EXPECT_EQ(found("ping foo@bar please"), "");
  EXPECT_EQ(found("user@localhost"), "");
  EXPECT_EQ(found("@ alone and a@ b"), "");
}

TEST(IdentifierEmail, AdjacentAddressesDoNotMerge) { EXPECT_EQ(found("a@b.com@c.com"), "email:a@b.com@0+7"); }

}  // namespace
}  // namespace gdpr::identifiers::testing
