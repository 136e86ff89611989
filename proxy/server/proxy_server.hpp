#pragma once
// The running proxy: worker threads, the listener and shutdown.
//
// Threading model: one io_context per worker thread, and each accepted client
// is handed round-robin to one of them for its whole life. A session's two
// relay directions, timers and server connection therefore all run on one
// thread, so session state needs no strand and no lock, and the hot path never
// crosses threads (the model of Envoy's workers and of running N PgBouncers
// with so_reuseport). The price — no rebalancing of long-lived sessions — is
// acceptable because proxy sessions are uniform. A shared io_context with a
// strand per session would serialise the same work but pay for cross-thread
// handler dispatch on every message.

#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "admin/admin_server.hpp"
#include "config/config.hpp"
#include "server/asio.hpp"
#include "server/proxy_context.hpp"
#include "server/startup_error.hpp"
#include "server/tls_contexts.hpp"

namespace gdpr::proxy {

// Checks that a TCP connection to [server] can be opened; throws StartupError.
void check_server_reachable(const Config& config, const std::vector<tcp::endpoint>& endpoints);

class ProxyServer {
 public:
  // Validates everything that can fail at start-up: TLS files, server address
  // and reachability, the listen and admin addresses, the user catalog.
  // Throws StartupError. SIGHUP re-reads `config_path` (empty: nothing to re-read).
  explicit ProxyServer(Config config, std::filesystem::path config_path = {});
  ~ProxyServer();

  // Serves until SIGINT/SIGTERM, drains, returns the process exit code.
  int run();

  tcp::endpoint listen_endpoint() const;

  // Re-reads the configuration file and swaps in new settings for new
  // sessions; a broken file is logged with the reason and changes nothing.
  // Returns whether the new configuration was applied.
  bool reload();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> wait_for_signal();
  asio::awaitable<void> reload_on_sighup();
  asio::awaitable<void> drain();
  asio::io_context& next_worker();

  // Declared first so it outlives the io_contexts (sessions unregister from it).
  ProxyContext context_;
  std::filesystem::path config_path_;
  std::vector<std::unique_ptr<asio::io_context>> workers_;
  std::size_t next_worker_ = 0;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::signal_set> signals_;
  std::unique_ptr<asio::signal_set> reload_signals_;
  // Null without [admin].
  std::unique_ptr<admin::AdminServer> admin_;
};

}  // namespace gdpr::proxy
