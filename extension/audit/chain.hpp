// The audit log's tamper-evidence chain (pure C++ over OpenSSL).
//
//   mac_n = HMAC-SHA-256(k_n, canonical(event_n) || mac_{n-1}),   mac_0 = 32 zero bytes
//   k_1   = keys::derive("audit"),  k_{n+1} = SHA-256(k_n)
//
// Event ids are dense (1, 2, 3, ...): the single writer assigns them, so a
// missing id is a deleted event. The key ratchets forward with every event;
// the writer forgets k_n once it has moved on, so a copy of the running
// writer's key taken today cannot re-sign yesterday's events.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::audit {

using Digest = std::array<uint8_t, 32>;

// The columns of one audit_log row as the chain sees them: each value in its
// canonical text form (nullopt = SQL NULL), in the fixed order of
// gdpr.audit_log's signed columns. Length-prefixed, so no two different rows
// encode alike.
std::string canonical_encoding(const std::vector<std::optional<std::string>>& fields);
// The same into `out` (replacing its contents; its capacity is reused).
void canonical_encoding(const std::vector<std::optional<std::string>>& fields, std::string& out);

class Chain {
 public:
  // Positioned before event 1. Throws std::runtime_error when OpenSSL lacks
  // HMAC or SHA-256.
  explicit Chain(const Digest& first_key);
  ~Chain();
  Chain(const Chain&) = delete;
  Chain& operator=(const Chain&) = delete;
  // Moves the key forward to event `next_id` with previous mac `prev_mac`
  // (the writer restarting after event next_id - 1).
  void seek(int64_t next_id, const Digest& prev_mac);
  // Continues at event `next_id` with `key` (its key, as key() gave it) and
  // previous mac `prev_mac`: a new writer taking over from the last one
  // without ratcheting from the first key through every event again.
  void resume(int64_t next_id, const Digest& key, const Digest& prev_mac);
  // The key of event next_id(); the writer hands it to its successor
  // through shared memory. Later keys follow from it, earlier ones do not.
  const Digest& key() const noexcept { return key_; }
  // The mac of the next event; advances to the one after it.
  Digest sign(std::string_view canonical);
  int64_t next_id() const noexcept { return next_id_; }
  const Digest& head() const noexcept { return prev_mac_; }

 private:
  void ratchet();
  // OpenSSL's HMAC and SHA-256 contexts, fetched once and reused for every
  // event: the one-shot HMAC() and SHA256() fetch the algorithms on each
  // call, which cost the writer more than the hashing itself.
  struct Contexts;
  std::unique_ptr<Contexts> ctx_;
  Digest key_;
  Digest prev_mac_{};
  int64_t next_id_ = 1;
};

Digest sha256(const Digest& in);
std::string to_hex(const Digest& d);

}  // namespace gdpr::audit
