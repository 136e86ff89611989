// The primary-key values of the rows one statement read or changed in one
// relation, kept compact whatever the row count (pure C++, no PostgreSQL).
//
// Integer keys (the common case: bigint ids) are kept as a sorted set of
// closed ranges. When a statement touches more distinct runs than the cap, the
// smallest gaps between runs are merged: the set grows into a superset, never
// a subset, so an access report may say "may have seen" but never misses a
// row. Other keys (text, uuid, composite) are kept as a capped list of
// distinct values; beyond the cap only the count is known and the event says
// its key list is incomplete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace gdpr::audit {

struct KeyRange {
  int64_t first;
  int64_t last;  // inclusive
};

class IntegerKeySet {
 public:
  explicit IntegerKeySet(size_t max_ranges) : max_ranges_(max_ranges < 1 ? 1 : max_ranges) {}
  void add(int64_t key);
  // Sorted, disjoint, non-adjacent ranges; at most max_ranges of them.
  const std::vector<KeyRange>& ranges();
  // True when the cap merged gaps, so the ranges cover keys never touched.
  bool widened() const noexcept { return widened_; }
  bool empty() const noexcept { return !has_first_ && pending_.empty() && ranges_.empty(); }

 private:
  void compact();
  size_t max_ranges_;
  // The first key, kept aside: a point read names one row, and then no
  // pending vector is needed (one allocation fewer per statement).
  bool has_first_ = false;
  int64_t first_ = 0;
  std::vector<int64_t> pending_;  // unsorted recent keys, folded in by compact()
  std::vector<KeyRange> ranges_;
  bool widened_ = false;
};

// Distinct key values in their JSON form (a number, a quoted string, or an
// array of those for composite keys), in first-seen order, at most `cap`.
class KeyList {
 public:
  explicit KeyList(size_t cap) : cap_(cap) {}
  void add(std::string json_value);
  const std::vector<std::string>& values() const noexcept { return values_; }
  bool truncated() const noexcept { return truncated_; }

 private:
  size_t cap_;
  std::vector<std::string> values_;
  std::unordered_set<std::string> seen_;
  bool truncated_ = false;
};

// JSON text of the row_keys column: an array whose items are key values or,
// for integer runs, {"to": b, "from": a} (for ranges: exactly jsonb's output).
std::string row_keys_json(const std::vector<KeyRange>& ranges);
std::string row_keys_json(const std::vector<std::string>& values);
// The same into `out`, replacing its contents.
void row_keys_json(const std::vector<KeyRange>& ranges, std::string& out);
void row_keys_json(const std::vector<std::string>& values, std::string& out);
// Text of an int8multirange in its canonical output form, e.g.
// {[5,6),[10,21)}; the indexed form. The maximum int64 key ends unbounded: [k,).
std::string multirange_literal(const std::vector<KeyRange>& ranges);
void multirange_literal(const std::vector<KeyRange>& ranges, std::string& out);
// The ranges of a multirange_literal() text, back again: the writer builds
// the row's jsonb and int8multirange values from them without running the
// types' input parsers. nullopt for any other text.
std::optional<std::vector<KeyRange>> parse_multirange_literal(std::string_view text);
// A JSON string literal with the escapes JSON requires.
std::string json_quote(const std::string& text);

}  // namespace gdpr::audit
