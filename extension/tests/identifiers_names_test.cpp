// Names in text: folding, the keys of a stored name, and finding known names
// (identifiers/names.cpp). The directory here is a plain set of keys; in the
// extension it is a set of keyed hashes (masking/known_names.cpp).
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "identifiers_test_support.hpp"

namespace gdpr::identifiers::testing {
namespace {

class SetDirectory : public NameDirectory {
 public:
  explicit SetDirectory(const std::vector<std::string>& stored_names) {
    for (const auto& name : stored_names)
      for (auto& key : name_keys(name)) {
        first_words_.insert(std::string(name_key_first_word(key)));
        keys_.insert(std::move(key));
      }
  }
  bool starts_name(std::string_view first_word) override {
    ++start_lookups;
    return first_words_.contains(std::string(first_word));
  }
  bool is_name(std::string_view key) override {
    ++name_lookups;
    return keys_.contains(std::string(key));
  }
  int start_lookups = 0;
  int name_lookups = 0;

 private:
  std::set<std::string> first_words_;
  std::set<std::string> keys_;
};

std::string redact_names(std::string_view text, const std::vector<std::string>& known) {
  SetDirectory directory(known);
  return redact(text, kRegion, Poll{}, PhoneRecall::cautious, directory);
}

TEST(IdentifierNames, FoldingIgnoresCaseAndDiacritics) {
  EXPECT_EQ(fold_word("Nováková"), "novakova");
  EXPECT_EQ(fold_word("NOVÁKOVÁ"), "novakova");
  EXPECT_EQ(fold_word("Ľubomír"), "lubomir");
  EXPECT_EQ(fold_word("Šťastný"), "stastny");
  EXPECT_EQ(fold_word("Weiß"), "weiss");
  EXPECT_EQ(fold_word("Łukasz"), "lukasz");  // no NFD decomposition: Latin-ASCII
  EXPECT_EQ(fold_word("Ørsted"), "orsted");
  EXPECT_EQ(fold_word("Nova\xCC\x81kova\xCC\x81"), "novakova");  // decomposed á
  EXPECT_EQ(fold_word("Иван"), "иван");                          // other scripts: case-folded only
}

TEST(IdentifierNames, KeyOfANameCollapsesWhiteSpace) {
  EXPECT_EQ(name_key("  Ivana \t NOVÁKOVÁ\n"), "ivana novakova");
  EXPECT_EQ(name_key("Mary O’Connor"), "mary o'connor");
  EXPECT_EQ(name_key("Anna-Mária van der Berg"), "anna-maria van der berg");
  EXPECT_EQ(name_key("  ,. "), "");
  ASSERT_TRUE(normalize_as(Kind::name, "Ivana Nováková", kRegion).has_value());
  EXPECT_EQ(normalize_as(Kind::name, "Ivana Nováková", kRegion)->value, "ivana novakova");
  EXPECT_FALSE(normalize_as(Kind::name, " - ", kRegion).has_value());
  // normalize() never guesses that a value is a name.
  EXPECT_EQ(classify("Ivana Nováková"), "literal:Ivana Nováková");
}

TEST(IdentifierNames, KeysOfAStoredName) {
  EXPECT_EQ(name_keys("Ivana Nováková"), (std::vector<std::string>{"ivana novakova", "novakova ivana"}));
  EXPECT_EQ(name_keys("Nováková, Ivana"), (std::vector<std::string>{"ivana novakova", "novakova ivana"}));
  EXPECT_EQ(
      name_keys("Jürgen Müller"),
      (std::vector<std::string>{"juergen mueller", "juergen muller", "jurgen mueller", "jurgen muller",
                                "mueller juergen", "mueller jurgen", "muller juergen", "muller jurgen"}));
  EXPECT_EQ(name_keys("Anna-Mária van der Berg"), (std::vector<std::string>{"anna-maria van der berg"}));
  EXPECT_EQ(name_keys("Ing. Ivana Nováková, PhD."),
            (std::vector<std::string>{"ing ivana novakova phd", "ivana novakova", "novakova ivana"}));
  EXPECT_EQ(name_keys("Madonna"), (std::vector<std::string>{"madonna"}));
  EXPECT_TRUE(name_keys(" ;; ").empty());
  EXPECT_TRUE(name_keys("a b c d e f g h i j k").empty());  // more words than find_names looks at
}

TEST(IdentifierNames, FullNamesAreRedactedInAnySpelling) {
  const std::vector<std::string> known = {"Ivana Nováková"};
  EXPECT_EQ(redact_names("Dear Ivana Nováková,\n\nthank you.", known), "Dear [name],\n\nthank you.");
  EXPECT_EQ(redact_names("IVANA NOVÁKOVÁ", known), "[name]");
  EXPECT_EQ(redact_names("ivana novakova wrote", known), "[name] wrote");
  EXPECT_EQ(redact_names("Ivana\n  Nováková", known), "[name]");
  EXPECT_EQ(redact_names("Ivana\u00A0Nováková", known), "[name]");  // no-break space
  EXPECT_EQ(redact_names("Nováková Ivana, Bratislava", known), "[name], Bratislava");
  EXPECT_EQ(redact_names("(Ivana Nováková)", known), "([name])");
  EXPECT_EQ(redact_names("Ivana Nováková's account", known), "[name]'s account");
}

TEST(IdentifierNames, PartsOfANameAreNotAName) {
  const std::vector<std::string> known = {"Ivana Nováková"};
  // Single words are shared by many people and by ordinary words: kept.
  EXPECT_EQ(redact_names("Hello Ivana,", known), "Hello Ivana,");
  EXPECT_EQ(redact_names("Mrs Nováková called", known), "Mrs Nováková called");
  // Punctuation between the words: not the name.
  EXPECT_EQ(redact_names("Ivana, Nováková", known), "Ivana, Nováková");
  EXPECT_EQ(redact_names("ivana.novakova", known), "ivana.novakova");
  // A longer word is another word.
  EXPECT_EQ(redact_names("Ivana Novákovái", known), "Ivana Novákovái");
  EXPECT_EQ(redact_names("Marie-Ivana Nováková", known), "Marie-Ivana Nováková");
}

TEST(IdentifierNames, LongestNameWinsAndIdentifiersWinOverNames) {
  const std::vector<std::string> known = {"Jana Nová", "Jana Nová Kováčová", "Peter Kováč"};
  EXPECT_EQ(redact_names("Jana Nová Kováčová and Jana Nová", known), "[name] and [name]");
  EXPECT_EQ(redact_names("Peter Kováč peter.kovac@example.sk +421 905 123 456", known),
            "[name] [email] [phone]");
  // The e-mail address contains the words of a name: the e-mail wins.
  EXPECT_EQ(redact_names("write to peter kovac@example.sk", {"Peter Kovac"}), "write to peter [email]");
}

TEST(IdentifierNames, MatchesAreByteRangesOfTheText) {
  SetDirectory directory({"Ľubomír Šťastný"});
  const std::string text = "Pán Ľubomír Šťastný volal.";
  auto matches = find_names(text, directory);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].id.kind, Kind::name);
  EXPECT_EQ(matches[0].id.value, "lubomir stastny");
  EXPECT_EQ(text.substr(matches[0].offset, matches[0].length), "Ľubomír Šťastný");
}

TEST(IdentifierNames, OnlyWordsThatStartANameCostMore) {
  SetDirectory directory({"Ivana Nováková"});
  std::string text;
  for (int i = 0; i < 100; ++i) text += "the quick brown fox jumps over the lazy dog ";
  EXPECT_TRUE(find_names(text, directory).empty());
  EXPECT_EQ(directory.start_lookups, 900);
  EXPECT_EQ(directory.name_lookups, 0);
}

TEST(IdentifierNames, MalformedUtf8AndEmptyText) {
  SetDirectory directory({"Ivana Nováková"});
  EXPECT_TRUE(find_names("", directory).empty());
  EXPECT_EQ(redact_names("\xFF\xFEIvana Nováková\xC3", {"Ivana Nováková"}), "\xFF\xFE[name]\xC3");
}

TEST(IdentifierNames, LinearOnLongText) {
  SetDirectory directory({"Ivana Nováková", "Peter Kováč"});
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "Ivana Ivana Ivana Nováková žltý kôň ";
  const auto start = std::chrono::steady_clock::now();
  auto matches = find_names(text, directory);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(matches.size(), 20000u);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

}  // namespace
}  // namespace gdpr::identifiers::testing
