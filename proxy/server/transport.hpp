#pragma once
// One end of a proxied connection: a TCP socket that may be upgraded to TLS
// in the middle of the start-up exchange (after SSLRequest). Sessions read and
// write through it without caring which it is.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <span>
#include <tuple>
#include <variant>

#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport {
 public:
  explicit Transport(tcp::socket socket);

  asio::awaitable<std::tuple<error_code, std::size_t>> read_some(asio::mutable_buffer buffer);
  // Waits, holding no read buffer, until the peer's bytes can be read. Plain
  // TCP reads nothing (returns 0). TLS may already hold bytes the socket no
  // longer shows (decrypted, or records not yet fed to OpenSSL), so it reads
  // one byte into `first` (returns 1), which drains those layers correctly.
  asio::awaitable<std::tuple<error_code, std::size_t>> wait_readable(std::uint8_t& first);
  // Reads what can be read without waiting: 0 bytes (and no error) when nothing is.
  asio::awaitable<std::tuple<error_code, std::size_t>> read_available(asio::mutable_buffer buffer);
  // Writes all of `buffers` (gathered into as few syscalls as possible).
  asio::awaitable<std::tuple<error_code, std::size_t>> write(std::span<const asio::const_buffer> buffers);
  asio::awaitable<std::tuple<error_code, std::size_t>> write(asio::const_buffer buffer);

  // Server side of a TLS handshake on the plain socket; afterwards all I/O is encrypted.
  asio::awaitable<error_code> accept_tls(asio::ssl::context& context);
  // Client side of a TLS handshake, towards PostgreSQL. `host` goes into SNI
  // (unless it is an IP address); certificate checks are the context's and
  // `verify`'s business (server/server_tls.hpp).
  asio::awaitable<error_code> connect_tls(asio::ssl::context& context, const std::string& host,
                                          std::function<bool(bool, asio::ssl::verify_context&)> verify);
  // The OpenSSL connection once TLS is on, else nullptr.
  SSL* tls_handle();

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
