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

asio::awaitable<std::tuple<error_code, std::size_t>> Transport::wait_readable(std::uint8_t& first) {
  if (auto* plain = std::get_if<tcp::socket>(&stream_)) {
    auto [ec] = co_await plain->async_wait(tcp::socket::wait_read, use_tuple);
    co_return std::tuple{ec, std::size_t{0}};
  }
  co_return co_await std::get<TlsStream>(stream_).async_read_some(asio::buffer(&first, 1), use_tuple);
}

asio::awaitable<std::tuple<error_code, std::size_t>> Transport::read_available(asio::mutable_buffer buffer) {
  if (auto* plain = std::get_if<tcp::socket>(&stream_)) {
    error_code ec;
    // Non-blocking for this synchronous read only; Asio's own operations
    // already use a non-blocking descriptor.
    if (!plain->non_blocking()) plain->non_blocking(true, ec);
    const auto n = plain->read_some(buffer, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
    co_return std::tuple{ec, n};
  }
  auto& tls = std::get<TlsStream>(stream_);
  // Decrypted bytes waiting in OpenSSL come back without touching the socket;
  // anything else would mean waiting, which is wait_readable's job.
  if (SSL_pending(tls.native_handle()) <= 0) co_return std::tuple{error_code{}, std::size_t{0}};
  co_return co_await tls.async_read_some(buffer, use_tuple);
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

asio::awaitable<error_code> Transport::connect_tls(
    asio::ssl::context& context, const std::string& host,
    std::function<bool(bool, asio::ssl::verify_context&)> verify) {
  tcp::socket plain = std::move(std::get<tcp::socket>(stream_));
  stream_.emplace<TlsStream>(std::move(plain), context);
  auto& tls = std::get<TlsStream>(stream_);
  error_code not_an_address;
  asio::ip::make_address(host, not_an_address);
  // SNI carries host names only (RFC 6066), as libpq does.
  if (not_an_address) SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
  if (verify) {
    error_code ec;
    tls.set_verify_callback(std::move(verify), ec);
    if (ec) co_return ec;
  }
  auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
  co_return ec;
}

SSL* Transport::tls_handle() {
  auto* tls = std::get_if<TlsStream>(&stream_);
  return tls ? tls->native_handle() : nullptr;
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
