#include "rewrite/rewrite_cache.hpp"

namespace gdpr::proxy::rewrite {
namespace {

std::string cache_key(const std::string& sql, const PolicyCatalog& policy, bool scs) {
  std::string key;
  key.reserve(sql.size() + policy.name.size() + 24);
  key += std::to_string(policy.generation);
  key += '\0';
  key += policy.name;
  key += '\0';
  key += scs ? '1' : '0';
  key += sql;
  return key;
}

std::size_t size_of(const std::string& key, const RewriteResult& result) {
  return key.size() + result.text.size() + result.message.size() + 128;
}

}  // namespace

RewriteResult RewriteCache::rewrite(const std::string& sql, const PolicyCatalog& policy, bool scs,
                                    bool* hit) {
  auto key = cache_key(sql, policy, scs);
  {
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      hits_.fetch_add(1, std::memory_order_relaxed);
      if (hit) *hit = true;
      return it->second->result;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  if (hit) *hit = false;
  // Parsed outside the lock: a long statement must not stall other sessions.
  auto result = rewrite_statement(sql, policy, scs);
  const std::size_t size = size_of(key, result);
  if (size > capacity_bytes_ / 4) return result;  // huge statements are not worth keeping

  std::lock_guard lock(mutex_);
  if (index_.contains(key)) return result;  // another session got there first
  lru_.push_front(Entry{std::move(key), result});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += size;
  while (bytes_ > capacity_bytes_ && !lru_.empty()) {
    auto& last = lru_.back();
    bytes_ -= size_of(last.key, last.result);
    index_.erase(last.key);
    lru_.pop_back();
  }
  return result;
}

}  // namespace gdpr::proxy::rewrite
