#pragma once
// Everything a SIGHUP may replace, as one immutable snapshot: the validated
// configuration and what is built from it (TLS contexts, the server's
// addresses, the authenticator). Each session takes the snapshot current at
// its start and keeps it to its end, so a reload never changes a running
// session and never races with one; new sessions get the new snapshot.
//
// A few settings are bound to resources made once at start-up and need a
// restart (restart_only_changes): [listen] host and port, [runtime] threads,
// [admin], [catalog] conninfo.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

struct RuntimeSettings {
  Config config;
  // [server] host and port, resolved when the snapshot was built.
  std::vector<tcp::endpoint> server_endpoints;
  // Towards clients; null without [tls].
  std::shared_ptr<asio::ssl::context> tls_context;
  // Towards PostgreSQL; null with [server] sslmode = disable.
  std::shared_ptr<asio::ssl::context> server_tls_context;
  std::shared_ptr<Authenticator> authenticator;
};

// Loads the TLS files and resolves [server] host; throws StartupError naming
// the setting at fault. The authenticator is left for attach_authenticator.
std::shared_ptr<RuntimeSettings> prepare_runtime_settings(Config config);

// Builds the authenticator (reading [server] passfile, and at start-up loading
// the user catalog); throws StartupError. `previous` (on reload): its user
// catalog connection and directory are kept, not opened again.
void attach_authenticator(RuntimeSettings& settings, const RuntimeSettings* previous);

// Settings whose change only a restart applies. Each one that differs between
// `running` and `next` is described in the result and reset in `next` to the
// running value, so the snapshot says what is really in force.
std::vector<std::string> restart_only_changes(const Config& running, Config& next);

// The current snapshot. Readers copy the pointer under a mutex held for that
// copy only (once per session); a reload swaps in a complete new snapshot.
class SettingsSlot {
 public:
  std::shared_ptr<const RuntimeSettings> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(std::shared_ptr<const RuntimeSettings> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const RuntimeSettings> current_;
};

}  // namespace gdpr::proxy
