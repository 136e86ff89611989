#include "server/cancel_registry.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace gdpr::proxy {

CancelRegistry::Registration& CancelRegistry::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = other.registry_;
    key_ = other.key_;
    other.registry_ = nullptr;
  }
  return *this;
}

void CancelRegistry::Registration::reset() {
  if (registry_ != nullptr) registry_->remove(key_);
  registry_ = nullptr;
}

CancelRegistry::Registration CancelRegistry::add(const CancelTarget& target) {
  for (;;) {
    unsigned char random[8];
    // The secret is what stops one client cancelling another's queries, so it
    // must come from a CSPRNG.
    if (RAND_bytes(random, sizeof random) != 1)
      throw std::runtime_error("RAND_bytes failed to produce a cancel key");
    BackendKey key{(std::uint32_t{random[0]} << 24 | std::uint32_t{random[1]} << 16 |
                    std::uint32_t{random[2]} << 8 | random[3]) &
                       0x7fffffffu,  // clients print the pid as a signed int; keep it positive
                   std::uint32_t{random[4]} << 24 | std::uint32_t{random[5]} << 16 |
                       std::uint32_t{random[6]} << 8 | random[7]};
    std::lock_guard lock(mutex_);
    if (targets_.emplace(key, target).second) return Registration(this, key);
  }
}

std::optional<CancelTarget> CancelRegistry::find(const BackendKey& proxy_key) const {
  std::lock_guard lock(mutex_);
  auto it = targets_.find(proxy_key);
  if (it == targets_.end()) return std::nullopt;
  return it->second;
}

std::size_t CancelRegistry::size() const {
  std::lock_guard lock(mutex_);
  return targets_.size();
}

void CancelRegistry::remove(const BackendKey& key) {
  std::lock_guard lock(mutex_);
  targets_.erase(key);
}

}  // namespace gdpr::proxy
