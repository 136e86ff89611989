#pragma once
// The admin HTTP endpoint on [admin] host:port: GET /metrics in the
// Prometheus text format, nothing else. A tiny HTTP/1.1 responder on Asio
// (admin/http.hpp does the parsing): one request per connection, a short
// deadline and a cap on concurrent connections, so a stuck or hostile
// scraper cannot hold the proxy's resources.

#include <chrono>
#include <functional>
#include <string>

#include "config/config.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy::admin {

class AdminServer {
 public:
  // Binds and listens at once; throws StartupError naming [admin] on failure.
  AdminServer(asio::io_context& io, const Endpoint& endpoint, std::function<std::string()> render_metrics);

  void start();
  void stop();
  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  static constexpr std::size_t kMaxConnections = 16;
  static constexpr std::chrono::seconds kRequestTimeout{10};

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);

  tcp::acceptor acceptor_;
  std::function<std::string()> render_metrics_;
  // Touched only on the acceptor's io_context thread.
  std::size_t connections_ = 0;
};

}  // namespace gdpr::proxy::admin
