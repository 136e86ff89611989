#pragma once
// One end of a proxied connection: a TCP socket that may be upgraded to TLS
// in the middle of the start-up exchange (after SSLRequest). Sessions read and
// write through it without caring which it is.

#include <cstddef>
#include <span>
#include <tuple>
#include <variant>

#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport {
 public:
  explicit Transport(tcp::socket socket);

  asio::awaitable<std::tuple<error_code, std::size_t>> read_some(asio::mutable_buffer buffer);
  // Writes all of `buffers` (gathered into as few syscalls as possible).
  asio::awaitable<std::tuple<error_code, std::size_t>> write(std::span<const asio::const_buffer> buffers);
  asio::awaitable<std::tuple<error_code, std::size_t>> write(asio::const_buffer buffer);

  // Server side of a TLS handshake on the plain socket; afterwards all I/O is encrypted.
  asio::awaitable<error_code> accept_tls(asio::ssl::context& context);

  bool tls() const { return std::holds_alternative<TlsStream>(stream_); }
  tcp::socket& socket();
  // Aborts pending operations and closes; safe to call repeatedly and from the
  // other direction's coroutine (same thread) to wake a blocked read.
  void close();
  bool is_open();

  // Errors that mean "the peer went away", as opposed to a local failure.
  static bool is_disconnect(const error_code& ec);

 private:
  using TlsStream = asio::ssl::stream<tcp::socket>;
  std::variant<tcp::socket, TlsStream> stream_;
};

}  // namespace gdpr::proxy
