#include "admin/admin_server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "admin/http.hpp"
#include "server/connect.hpp"
#include "server/startup_error.hpp"

namespace gdpr::proxy::admin {

AdminServer::AdminServer(asio::io_context& io, const Endpoint& endpoint,
                         std::function<std::string()> render_metrics)
    : acceptor_(io), render_metrics_(std::move(render_metrics)) {
  const auto where = fmt::format("{}:{}", endpoint.host, endpoint.port);
  std::vector<tcp::endpoint> endpoints;
  try {
    endpoints = resolve_endpoints(endpoint.host, endpoint.port);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("cannot resolve [admin] host \"{}\": {}", endpoint.host, e.code().message()));
  }
  if (endpoints.empty()) throw StartupError(fmt::format("[admin] host \"{}\" has no address", endpoint.host));
  error_code ec;
  acceptor_.open(endpoints.front().protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoints.front(), ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw StartupError(fmt::format("cannot listen on {} ([admin] host, port): {}", where, ec.message()));
}

void AdminServer::start() { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

void AdminServer::stop() {
  error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> AdminServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      spdlog::warn("admin: accept failed: {}", ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (connections_ >= kMaxConnections) {
      // Scrapers are few; more at once is a misbehaving client.
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::serve(tcp::socket socket) {
  ++connections_;
  struct Count {
    std::size_t& n;
    ~Count() { --n; }
  } count{connections_};
  auto executor = co_await asio::this_coro::executor;
  // A client that never finishes its request (or never closes) is cut off.
  asio::steady_timer deadline(executor, kRequestTimeout);
  deadline.async_wait([&socket](error_code ec) {
    if (!ec) {
      error_code ignored;
      socket.close(ignored);
    }
  });
  std::string head;
  auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(head, kMaxRequestHead),
                                                 "\r\n\r\n", use_tuple);
  if (!ec || ec == asio::error::not_found) {
    HttpResponse response;
    if (ec) {
      response.status = 431;
      response.body = "request head too large\n";
    } else {
      const auto request = parse_request_head(std::string_view(head).substr(0, n));
      response = respond(request, render_metrics_);
    }
    const auto bytes = response.serialize();
    auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
    if (!write_ec) {
      // Half-close, then wait for the client to close: closing with unread
      // bytes would reset the connection and could destroy the response.
      error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      char sink[512];
      for (;;) {
        auto [read_ec, got] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
        if (read_ec) break;
      }
    }
  }
  deadline.cancel();
  // Let the cancelled timer's handler run before `socket` goes out of scope.
  co_await asio::post(executor, asio::use_awaitable);
  error_code ignored;
  socket.close(ignored);
}

}  // namespace gdpr::proxy::admin
