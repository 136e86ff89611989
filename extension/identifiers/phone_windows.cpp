#include "phone_windows.hpp"

#include <algorithm>

#include "ascii.hpp"

namespace gdpr::identifiers::detail {
namespace {

// The matcher allows at most 4 punctuation characters between two digit
// blocks of one number; in UTF-8 a punctuation character (no-break space,
// dash, full-width bracket) takes up to 3 bytes. Anything further apart, or
// separated by a letter, cannot be one number.
constexpr std::size_t kMaxGapBytes = 12;
// Fewer digits than this cannot be a valid phone number (Slovak numbers have
// 9 national digits; the shortest valid numbers anywhere have 4+). Clusters
// this small are only context.
constexpr int kMinDigits = 4;
// Context handed to the matcher around a cluster: before, a lead ("+", "(",
// "tel:") and the character whose letter-ness it checks; after, an extension
// ("ext. 1234", "kl. 12") or the ":30" that marks a time stamp.
constexpr std::size_t kContextBefore = 8;
constexpr std::size_t kContextAfter = 16;
// A table of numbers without letters would otherwise be one endless cluster;
// past these sizes a cluster ends at the next gap (preferably at a character
// that no phone number contains, such as '|' or a line break).
constexpr std::size_t kClusterSoftMax = 256;
constexpr std::size_t kClusterHardMax = 1024;

constexpr bool is_number_punctuation(char c) noexcept {
  return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || c == '+' || c == '[' ||
         c == ']' || c == '~' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_utf8_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

struct Cluster {
  std::size_t first_digit;
  std::size_t end;  // one past the last digit
};

std::vector<Cluster> digit_clusters(std::string_view text) {
  std::vector<Cluster> clusters;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    if (!ascii::is_digit(text[i])) {
      ++i;
      continue;
    }
    const std::size_t first = i;
    std::size_t end = i + 1;
    int digits = 1;
    std::size_t j = end;
    while (j < n) {
      char c = text[j];
      if (ascii::is_digit(c)) {
        end = ++j;
        ++digits;
        continue;
      }
      if (ascii::is_alpha(c) || j - end >= kMaxGapBytes) break;
      std::size_t size = j - first;
      if ((size > kClusterSoftMax && !is_number_punctuation(c)) || size > kClusterHardMax) break;
      ++j;
    }
    if (digits >= kMinDigits) clusters.push_back(Cluster{first, end});
    i = std::max(j, end);
  }
  return clusters;
}

}  // namespace

std::vector<TextWindow> phone_search_windows(std::string_view text) {
  std::vector<Cluster> clusters = digit_clusters(text);
  std::vector<TextWindow> windows;
  windows.reserve(clusters.size());
  for (std::size_t k = 0; k < clusters.size(); ++k) {
    const Cluster& c = clusters[k];
    std::size_t floor = k == 0 ? 0 : clusters[k - 1].end;
    std::size_t ceiling = k + 1 == clusters.size() ? text.size() : clusters[k + 1].first_digit;
    std::size_t begin = c.first_digit - std::min(c.first_digit - floor, kContextBefore);
    std::size_t end = std::min(ceiling, c.end + kContextAfter);
    // Never hand the matcher half a character: it would reject the window.
    while (begin < c.first_digit && is_utf8_continuation(text[begin])) ++begin;
    while (end > c.end && end < text.size() && is_utf8_continuation(text[end])) --end;
    windows.push_back(TextWindow{begin, end});
  }
  return windows;
}

}  // namespace gdpr::identifiers::detail
