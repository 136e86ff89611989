#include "server/connect.hpp"

namespace gdpr::proxy {

asio::awaitable<std::tuple<error_code, tcp::socket>> connect_with_timeout(
    const std::vector<tcp::endpoint>& endpoints, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  error_code last = asio::error::host_not_found;
  for (const auto& endpoint : endpoints) {
    tcp::socket socket(executor);
    bool timed_out = false;
    // Closing the socket is the one cancellation every platform honours for connect().
    asio::steady_timer deadline(executor, timeout);
    deadline.async_wait([&socket, &timed_out](error_code ec) {
      if (!ec) {
        timed_out = true;
        error_code ignored;
        socket.close(ignored);
      }
    });
    auto [ec] = co_await socket.async_connect(endpoint, use_tuple);
    deadline.cancel();
    if (!ec) {
      // Let the cancelled timer's handler run before `timed_out` and `socket` go out of scope.
      co_await asio::post(executor, asio::use_awaitable);
      if (!timed_out) co_return std::tuple{error_code{}, std::move(socket)};
      ec = asio::error::timed_out;
    }
    co_await asio::post(executor, asio::use_awaitable);
    last = timed_out ? error_code(asio::error::timed_out) : ec;
  }
  co_return std::tuple{last, tcp::socket(executor)};
}

std::vector<tcp::endpoint> resolve_endpoints(const std::string& host, std::uint16_t port) {
  asio::io_context io;
  tcp::resolver resolver(io);
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service)) {
    endpoints.push_back(entry.endpoint());
  }
  return endpoints;
}

}  // namespace gdpr::proxy
