#pragma once
// Statement text -> rewrite result, per policy, catalog generation and
// standard_conforming_strings, shared by every session of the proxy.
// Applications send the same statements over and over; a cached statement
// costs a hash lookup instead of a parse. A catalog reload starts a new
// generation, so results of the old catalog are never used again (they age
// out of the LRU).

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "rewrite/policy_catalog.hpp"
#include "rewrite/rewriter.hpp"

namespace gdpr::proxy::rewrite {

class RewriteCache {
 public:
  // `capacity_bytes` bounds the texts held (keys and results).
  explicit RewriteCache(std::size_t capacity_bytes = 32u << 20) : capacity_bytes_(capacity_bytes) {}

  // The cached result, or rewrite_statement() stored and returned.
  // `hit` (optional) tells which it was.
  RewriteResult rewrite(const std::string& sql, const PolicyCatalog& policy, bool standard_conforming_strings,
                        bool* hit = nullptr);

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::string key;
    RewriteResult result;
  };
  using Lru = std::list<Entry>;

  std::size_t capacity_bytes_;
  std::mutex mutex_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::string_view, Lru::iterator> index_;
  std::size_t bytes_ = 0;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace gdpr::proxy::rewrite
