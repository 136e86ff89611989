#pragma once
// Process-wide map from the cancel keys the proxy hands to clients to the real
// backend keys of the servers behind them. Clients never see a server's key:
// a CancelRequest is honoured only when it names a key the proxy issued, and
// the proxy forwards it with the server's real key to the right server.
//
// Sessions run on different threads, so every access takes the mutex; it is
// touched once per connection and once per cancel, never per message.

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/asio.hpp"

namespace gdpr::proxy {

struct BackendKey {
  std::uint32_t process_id = 0;
  std::uint32_t secret_key = 0;
  bool operator==(const BackendKey&) const = default;
};

struct CancelTarget {
  BackendKey server_key;
  tcp::endpoint server;
};

class CancelRegistry {
 public:
  // Unregisters its key when destroyed (the session ended).
  class Registration {
   public:
    Registration() = default;
    Registration(CancelRegistry* registry, BackendKey key) : registry_(registry), key_(key) {}
    Registration(Registration&& other) noexcept { *this = std::move(other); }
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { reset(); }
    void reset();
    const BackendKey& proxy_key() const { return key_; }

   private:
    CancelRegistry* registry_ = nullptr;
    BackendKey key_;
  };

  // Draws a fresh random proxy key (OpenSSL RAND_bytes) for `target`.
  // Throws std::runtime_error if the random generator fails.
  Registration add(const CancelTarget& target);
  std::optional<CancelTarget> find(const BackendKey& proxy_key) const;
  std::size_t size() const;

 private:
  struct KeyHash {
    std::size_t operator()(const BackendKey& k) const {
      return (std::size_t{k.process_id} << 32) ^ std::size_t{k.secret_key};
    }
  };
  void remove(const BackendKey& key);

  mutable std::mutex mutex_;
  std::unordered_map<BackendKey, CancelTarget, KeyHash> targets_;
};

}  // namespace gdpr::proxy
