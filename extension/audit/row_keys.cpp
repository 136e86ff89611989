#include "audit/row_keys.hpp"

#include <algorithm>
#include <limits>

namespace gdpr::audit {

namespace {
// Folding keys into ranges costs a sort; do it in chunks so memory stays
// bounded by the chunk, not by the statement's row count.
constexpr size_t kPendingChunk = 65536;
}  // namespace

void IntegerKeySet::add(int64_t key) {
  if (!has_first_ && pending_.empty() && ranges_.empty()) {
    has_first_ = true;
    first_ = key;
    return;
  }
  if (has_first_) {
    pending_.push_back(first_);
    has_first_ = false;
  }
  pending_.push_back(key);
  if (pending_.size() >= kPendingChunk) compact();
}

const std::vector<KeyRange>& IntegerKeySet::ranges() {
  if (has_first_) {
    ranges_.push_back({first_, first_});
    has_first_ = false;
  }
  compact();
  return ranges_;
}

void IntegerKeySet::compact() {
  if (pending_.empty()) return;
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  std::vector<KeyRange> merged;
  merged.reserve(ranges_.size() + pending_.size());
  for (int64_t k : pending_) merged.push_back({k, k});
  merged.insert(merged.end(), ranges_.begin(), ranges_.end());
  pending_.clear();
  std::sort(merged.begin(), merged.end(),
            [](const KeyRange& a, const KeyRange& b) { return a.first < b.first; });
  ranges_.clear();
  for (const KeyRange& r : merged) {
    // Adjacent or overlapping: extend the last run (guarding last+1 overflow).
    if (!ranges_.empty() &&
        (r.first <= ranges_.back().last || (ranges_.back().last != std::numeric_limits<int64_t>::max() &&
                                            r.first == ranges_.back().last + 1))) {
      ranges_.back().last = std::max(ranges_.back().last, r.last);
    } else {
      ranges_.push_back(r);
    }
  }
  if (ranges_.size() <= max_ranges_) return;
  // Over the cap: close the smallest gaps until it fits. Find the gap size at
  // which enough gaps close, then close every gap up to it (ties may close a
  // few more, which only widens the superset).
  widened_ = true;
  std::vector<uint64_t> gaps;
  gaps.reserve(ranges_.size() - 1);
  for (size_t i = 1; i < ranges_.size(); ++i)
    gaps.push_back(static_cast<uint64_t>(ranges_[i].first) - static_cast<uint64_t>(ranges_[i - 1].last));
  const size_t to_close = ranges_.size() - max_ranges_;
  std::vector<uint64_t> sorted_gaps = gaps;
  std::nth_element(sorted_gaps.begin(), sorted_gaps.begin() + static_cast<std::ptrdiff_t>(to_close - 1),
                   sorted_gaps.end());
  const uint64_t threshold = sorted_gaps[to_close - 1];
  std::vector<KeyRange> widened;
  widened.push_back(ranges_[0]);
  for (size_t i = 1; i < ranges_.size(); ++i) {
    if (gaps[i - 1] <= threshold)
      widened.back().last = ranges_[i].last;
    else
      widened.push_back(ranges_[i]);
  }
  ranges_ = std::move(widened);
}

void KeyList::add(std::string json_value) {
  if (seen_.count(json_value) != 0) return;
  if (values_.size() >= cap_) {
    truncated_ = true;
    return;
  }
  seen_.insert(json_value);
  values_.push_back(std::move(json_value));
}

std::string row_keys_json(const std::vector<KeyRange>& ranges) {
  std::string out;
  row_keys_json(ranges, out);
  return out;
}

void row_keys_json(const std::vector<KeyRange>& ranges, std::string& out) {
  out.assign(1, '[');  // not out = "[": GCC 12 -O3 reports a false -Wrestrict (bug 105651)
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) out += ", ";
    const KeyRange& r = ranges[i];
    if (r.first == r.last)
      out += std::to_string(r.first);
    else {
      // jsonb's output order (shorter keys first): the writer signs this
      // text as the canonical form of the stored jsonb without re-parsing.
      out += "{\"to\": ";
      out += std::to_string(r.last);
      out += ", \"from\": ";
      out += std::to_string(r.first);
      out += '}';
    }
  }
  out += ']';
}

std::string row_keys_json(const std::vector<std::string>& values) {
  std::string out;
  row_keys_json(values, out);
  return out;
}

void row_keys_json(const std::vector<std::string>& values, std::string& out) {
  out.assign(1, '[');  // not out = "[": GCC 12 -O3 reports a false -Wrestrict (bug 105651)
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += values[i];
  }
  out += ']';
}

std::string multirange_literal(const std::vector<KeyRange>& ranges) {
  std::string out;
  multirange_literal(ranges, out);
  return out;
}

void multirange_literal(const std::vector<KeyRange>& ranges, std::string& out) {
  out.assign(1, '{');  // see above
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) out += ",";
    // int8multirange's canonical output form, [first,last+1): the writer
    // signs this text without re-parsing it. The maximum int64 key has no
    // last+1: its range is unbounded above (int8range would overflow).
    // Appended piecewise: GCC 12 misreports operator+ chains (-Wrestrict).
    out += '[';
    out += std::to_string(ranges[i].first);
    out += ',';
    if (ranges[i].last != std::numeric_limits<int64_t>::max()) out += std::to_string(ranges[i].last + 1);
    out += ')';
  }
  out += '}';
}

namespace {

// Reads an optionally signed decimal int64 at text[pos]; advances pos.
std::optional<int64_t> parse_int64(std::string_view text, size_t& pos) {
  const bool negative = pos < text.size() && text[pos] == '-';
  if (negative) ++pos;
  const size_t start = pos;
  uint64_t magnitude = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    const auto digit = static_cast<uint64_t>(text[pos] - '0');
    if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    magnitude = magnitude * 10 + digit;
    ++pos;
  }
  if (pos == start) return std::nullopt;
  const uint64_t limit = negative ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1
                                  : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (magnitude > limit) return std::nullopt;
  if (negative)
    return magnitude == limit ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(magnitude);
  return static_cast<int64_t>(magnitude);
}

}  // namespace

std::optional<std::vector<KeyRange>> parse_multirange_literal(std::string_view text) {
  std::vector<KeyRange> ranges;
  size_t pos = 0;
  auto expect = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  if (!expect('{')) return std::nullopt;
  if (expect('}')) return pos == text.size() ? std::optional(ranges) : std::nullopt;
  for (;;) {
    if (!expect('[')) return std::nullopt;
    const auto first = parse_int64(text, pos);
    if (!first || !expect(',')) return std::nullopt;
    int64_t last = std::numeric_limits<int64_t>::max();  // "[k,)": unbounded above
    if (!expect(')')) {
      const auto end = parse_int64(text, pos);
      if (!end || !expect(')') || *end <= *first) return std::nullopt;
      last = *end - 1;
    }
    // Sorted, disjoint and non-adjacent, as multirange_literal() writes them.
    if (!ranges.empty() &&
        (ranges.back().last == std::numeric_limits<int64_t>::max() || *first <= ranges.back().last + 1))
      return std::nullopt;
    ranges.push_back({*first, last});
    if (expect('}')) break;
    if (!expect(',')) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return ranges;
}

std::string json_quote(const std::string& text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace gdpr::audit
