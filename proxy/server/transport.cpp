#include "server/transport.hpp"

namespace gdpr::proxy {

Transport::Transport(tcp::socket socket) : stream_(std::move(socket)) {
  error_code ignored;
  // Protocol messages are small and latency-bound; Nagle only adds delay.
  this->socket().set_option(tcp::no_delay(true), ignored);
}

tcp::socket& Transport::socket() {
  if (auto* plain = std::get_if<tcp::socket>(&stream_)) return *plain;
  return std::get<TlsStream>(stream_).next_layer();
}

asio::awaitable<std::tuple<error_code, std::size_t>> Transport::read_some(asio::mutable_buffer buffer) {
  if (auto* plain = std::get_if<tcp::socket>(&stream_))
    co_return co_await plain->async_read_some(buffer, use_tuple);
  co_return co_await std::get<TlsStream>(stream_).async_read_some(buffer, use_tuple);
}

asio::awaitable<std::tuple<error_code, std::size_t>> Transport::write(
    std::span<const asio::const_buffer> buffers) {
  if (auto* plain = std::get_if<tcp::socket>(&stream_))
    co_return co_await asio::async_write(*plain, buffers, use_tuple);
  co_return co_await asio::async_write(std::get<TlsStream>(stream_), buffers, use_tuple);
}

asio::awaitable<std::tuple<error_code, std::size_t>> Transport::write(asio::const_buffer buffer) {
  co_return co_await write(std::span<const asio::const_buffer>(&buffer, 1));
}

asio::awaitable<error_code> Transport::accept_tls(asio::ssl::context& context) {
  // Move the socket out first: emplace destroys the variant's current member.
  tcp::socket plain = std::move(std::get<tcp::socket>(stream_));
  stream_.emplace<TlsStream>(std::move(plain), context);
  auto [ec] =
      co_await std::get<TlsStream>(stream_).async_handshake(asio::ssl::stream_base::server, use_tuple);
  co_return ec;
}

void Transport::close() {
  auto& s = socket();
  if (!s.is_open()) return;
  error_code ignored;
  s.shutdown(tcp::socket::shutdown_both, ignored);
  s.close(ignored);
}

bool Transport::is_open() { return socket().is_open(); }

bool Transport::is_disconnect(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace gdpr::proxy
