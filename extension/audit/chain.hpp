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
#include <optional>
#include <string>
#include <vector>

namespace gdpr::audit {

using Digest = std::array<uint8_t, 32>;

// The columns of one audit_log row as the chain sees them: each value in its
// canonical text form (nullopt = SQL NULL), in the fixed order of
// gdpr.audit_log's signed columns. Length-prefixed, so no two different rows
// encode alike.
std::string canonical_encoding(const std::vector<std::optional<std::string>>& fields);

class Chain {
 public:
  // Positioned before event 1.
  explicit Chain(const Digest& first_key);
  // Moves the key forward to event `next_id` with previous mac `prev_mac`
  // (the writer restarting after event next_id - 1).
  void seek(int64_t next_id, const Digest& prev_mac);
  // The mac of the next event; advances to the one after it.
  Digest sign(const std::string& canonical);
  int64_t next_id() const noexcept { return next_id_; }
  const Digest& head() const noexcept { return prev_mac_; }

 private:
  Digest key_;
  Digest prev_mac_{};
  int64_t next_id_ = 1;
};

Digest sha256(const Digest& in);
std::string to_hex(const Digest& d);

}  // namespace gdpr::audit
