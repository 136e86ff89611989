// Compact row keys of one statement (audit/row_keys.hpp): integer keys as
// ranges that may widen into a superset under the cap but never lose a key;
// other keys as a capped list; and the JSON / multirange text they become.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>

#include "audit/row_keys.hpp"

namespace gdpr::audit {
namespace {

bool covered(const std::vector<KeyRange>& ranges, int64_t key) {
  for (const auto& r : ranges)
    if (r.first <= key && key <= r.last) return true;
  return false;
}

TEST(AuditRowKeys, OneKeyIsOneRange) {
  IntegerKeySet keys(10);
  EXPECT_TRUE(keys.empty());
  keys.add(5);
  EXPECT_FALSE(keys.empty());
  const auto& ranges = keys.ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].first, 5);
  EXPECT_EQ(ranges[0].last, 5);
  EXPECT_EQ(row_keys_json(ranges), "[5]");
  EXPECT_EQ(multirange_literal(ranges), "{[5,6)}");
  EXPECT_FALSE(keys.widened());
}

TEST(AuditRowKeys, RunsMergeDuplicatesVanishOrderDoesNotMatter) {
  IntegerKeySet keys(10);
  for (int64_t k : {7, 3, 1, 2, 3, 2, 9, 8, 20}) keys.add(k);
  const auto& ranges = keys.ranges();
  EXPECT_EQ(row_keys_json(ranges), "[{\"to\": 3, \"from\": 1}, {\"to\": 9, \"from\": 7}, 20]");
  EXPECT_EQ(multirange_literal(ranges), "{[1,4),[7,10),[20,21)}");
  EXPECT_FALSE(keys.widened());
}

TEST(AuditRowKeys, CapClosesTheSmallestGapsIntoASuperset) {
  IntegerKeySet keys(2);
  for (int64_t k : {1, 3, 10, 100}) keys.add(k);
  const auto& ranges = keys.ranges();
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].first, 1);
  EXPECT_EQ(ranges[0].last, 10);
  EXPECT_EQ(ranges[1].first, 100);
  EXPECT_TRUE(keys.widened());
}

TEST(AuditRowKeys, AMillionSequentialKeysAreOneRange) {
  IntegerKeySet keys(1000);
  for (int64_t k = 1; k <= 1'000'000; ++k) keys.add(k);
  const auto& ranges = keys.ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(row_keys_json(ranges), "[{\"to\": 1000000, \"from\": 1}]");
  EXPECT_FALSE(keys.widened());
}

TEST(AuditRowKeys, RandomKeysUnderTheCapAreNeverLost) {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> any(-1'000'000, 1'000'000);
  for (size_t cap : {1u, 7u, 100u}) {
    IntegerKeySet keys(cap);
    std::set<int64_t> added;
    for (int i = 0; i < 200'000; ++i) {
      const int64_t k = any(random);
      keys.add(k);
      added.insert(k);
    }
    const auto& ranges = keys.ranges();
    EXPECT_LE(ranges.size(), cap);
    for (size_t i = 1; i < ranges.size(); ++i) EXPECT_GT(ranges[i].first, ranges[i - 1].last + 1);
    for (int64_t k : added) ASSERT_TRUE(covered(ranges, k)) << "lost key " << k << " with cap " << cap;
    EXPECT_TRUE(keys.widened());
  }
}

TEST(AuditRowKeys, ExtremeKeysDoNotOverflow) {
  IntegerKeySet keys(10);
  const int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  for (int64_t k : {max, max - 1, min, min + 1}) keys.add(k);
  const auto& ranges = keys.ranges();
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].first, min);
  EXPECT_EQ(ranges[0].last, min + 1);
  EXPECT_EQ(ranges[1].first, max - 1);
  EXPECT_EQ(ranges[1].last, max);
  EXPECT_EQ(multirange_literal(ranges),
            "{[-9223372036854775808,-9223372036854775806),[9223372036854775806,)}");
}

TEST(AuditRowKeys, MultirangeLiteralParsesBackToItsRanges) {
  const int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  const std::vector<std::vector<KeyRange>> cases = {
      {}, {{5, 5}}, {{1, 3}, {7, 9}, {20, 20}}, {{min, min + 1}, {max - 1, max}}, {{max, max}}, {{-7, 2}}};
  for (const auto& ranges : cases) {
    const auto back = parse_multirange_literal(multirange_literal(ranges));
    ASSERT_TRUE(back.has_value()) << multirange_literal(ranges);
    ASSERT_EQ(back->size(), ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
      EXPECT_EQ((*back)[i].first, ranges[i].first);
      EXPECT_EQ((*back)[i].last, ranges[i].last);
    }
  }
}

TEST(AuditRowKeys, MultirangeLiteralParserRejectsOtherText) {
  for (const char* text : {"", "{", "{[5,6)", "{[5,6)}x", "{[5,5)}", "{[6,5)}", "{[5,6],}", "{[5,6)[7,8)}",
                           "{[7,8),[1,2)}", "{[1,3),[3,4)}", "{(5,6)}", "{[a,6)}", "{[5,)[7,8)}",
                           "{[9223372036854775808,9223372036854775809)}", "{[5,6),[7,)x}", " {[5,6)}"})
    EXPECT_FALSE(parse_multirange_literal(text).has_value()) << text;
}

TEST(AuditRowKeys, KeyListKeepsDistinctValuesUpToTheCap) {
  KeyList list(2);
  list.add("\"a\"");
  list.add("\"a\"");
  list.add("\"b\"");
  EXPECT_FALSE(list.truncated());
  list.add("\"c\"");
  EXPECT_TRUE(list.truncated());
  EXPECT_EQ(row_keys_json(list.values()), "[\"a\", \"b\"]");
}

TEST(AuditRowKeys, EmptyListsAreEmptyJsonArrays) {
  EXPECT_EQ(row_keys_json(std::vector<KeyRange>{}), "[]");
  EXPECT_EQ(row_keys_json(std::vector<std::string>{}), "[]");
  EXPECT_EQ(multirange_literal({}), "{}");
}

TEST(AuditRowKeys, JsonQuoteEscapesWhatJsonRequires) {
  EXPECT_EQ(json_quote("plain"), "\"plain\"");
  EXPECT_EQ(json_quote("c\"q\\"), "\"c\\\"q\\\\\"");
  EXPECT_EQ(json_quote("a\nb\tc\r"), "\"a\\nb\\tc\\r\"");
  EXPECT_EQ(json_quote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(json_quote("žluť"), "\"žluť\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace gdpr::audit
