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

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "server/asio.hpp"
#include "server/proxy_context.hpp"

namespace gdpr::proxy {

// A reason the proxy cannot start; the message is one line for the operator.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds the TLS context from [tls]; throws StartupError naming the file at fault.
std::unique_ptr<asio::ssl::context> make_tls_context(const TlsConfig& tls);

// Checks that a TCP connection to [server] can be opened; throws StartupError.
void check_server_reachable(const Config& config, const std::vector<tcp::endpoint>& endpoints);

class ProxyServer {
 public:
  // Validates everything that can fail at start-up: TLS files, server address
  // and reachability, the listen address. Throws StartupError.
  explicit ProxyServer(Config config);
  ~ProxyServer();

  // Serves until SIGINT/SIGTERM, drains, returns the process exit code.
  int run();

  tcp::endpoint listen_endpoint() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> wait_for_signal();
  asio::awaitable<void> drain();
  asio::io_context& next_worker();

  // Declared first so it outlives the io_contexts (sessions unregister from it).
  ProxyContext context_;
  std::vector<std::unique_ptr<asio::io_context>> workers_;
  std::size_t next_worker_ = 0;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::signal_set> signals_;
};

}  // namespace gdpr::proxy
