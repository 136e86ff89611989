#include "server/server_tls.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "protocol/startup.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

using protocol::ProtocolError;

ProtocolError failure(std::string message, std::string hint) {
  return ProtocolError{protocol::sqlstate::kConnectionFailure, std::move(message), std::move(hint)};
}

// What a failed certificate check found, kept by the verify callback so the
// client is told "Hostname mismatch" rather than a bare "certificate verify failed".
struct VerifyOutcome {
  long error = X509_V_OK;
};

asio::awaitable<std::optional<ProtocolError>> negotiate(Transport& server, asio::ssl::context& context,
                                                        ServerSslMode mode, const std::string& host) {
  const auto mode_name = ssl_mode_name(mode);
  wire::Bytes request;
  wire::Writer writer(request);
  writer.u32(8);
  writer.u32(protocol::kSslRequestCode);
  if (auto [ec, n] = co_await server.write(asio::buffer(request)); ec) {
    spdlog::error("server TLS: cannot send SSLRequest: {}", ec.message());
    co_return failure("the database server closed the connection during start-up", {});
  }
  std::uint8_t answer = 0;
  auto [read_ec, n] = co_await server.read_some(asio::buffer(&answer, 1));
  if (read_ec) {
    spdlog::error("server TLS: no answer to SSLRequest: {}", read_ec.message());
    co_return failure("the database server closed the connection during start-up", {});
  }
  if (answer == 'N') {
    spdlog::error("server TLS: the server refused TLS, and [server] sslmode = {}", mode_name);
    co_return failure(
        fmt::format("the database server does not accept TLS, and gdpr-proxy's [server] sslmode "
                    "is \"{}\"",
                    mode_name),
        "Turn on ssl in the server's postgresql.conf, or set [server] sslmode = \"disable\".");
  }
  if (answer != 'S') {
    spdlog::error("server TLS: unexpected answer 0x{:02x} to SSLRequest", answer);
    co_return failure("the database server sent an invalid answer to the TLS request",
                      "The proxy closed the connection; its log has the details.");
  }
  // Bytes after 'S' but before the handshake would be plaintext posing as
  // protected (CVE-2021-23222): refuse rather than read them.
  error_code available_ec;
  if (server.socket().available(available_ec) > 0) {
    spdlog::error("server TLS: the server sent unencrypted data after accepting TLS");
    co_return failure("the database server sent unencrypted data after accepting TLS",
                      "The proxy closed the connection; its log has the details.");
  }

  auto outcome = std::make_shared<VerifyOutcome>();
  std::function<bool(bool, asio::ssl::verify_context&)> verify;
  if (mode == ServerSslMode::verify_full) {
    error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    const bool is_address = !not_an_address;
    verify = [outcome, check = asio::ssl::host_name_verification(host), is_address](
                 bool preverified, asio::ssl::verify_context& ctx) {
      X509_STORE_CTX* store = ctx.native_handle();
      if (!preverified) {
        outcome->error = X509_STORE_CTX_get_error(store);
        return false;
      }
      if (!check(preverified, ctx)) {
        // Asio leaves the store's error at "ok" for a name mismatch; say which it was.
        const int error = is_address ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH;
        X509_STORE_CTX_set_error(store, error);
        outcome->error = error;
        return false;
      }
      return true;
    };
  }
  const auto handshake_ec = co_await server.connect_tls(context, host, std::move(verify));
  if (!handshake_ec) co_return std::nullopt;

  if (outcome->error != X509_V_OK) {
    const std::string reason = X509_verify_cert_error_string(outcome->error);
    spdlog::error("server TLS: the server's certificate failed verify-full against \"{}\": {}", host, reason);
    co_return failure(fmt::format("gdpr-proxy cannot verify the database server's certificate: {}", reason),
                      "Check [server] sslrootcert (the CA that signs the server's certificate) and that "
                      "[server] host is a name or address in that certificate.");
  }
  spdlog::error("server TLS: handshake with the server failed: {}", handshake_ec.message());
  co_return failure(fmt::format("TLS handshake with the database server failed: {}", handshake_ec.message()),
                    "The proxy log has the details.");
}

}  // namespace

asio::awaitable<std::optional<ProtocolError>> start_server_tls(Transport& server, asio::ssl::context& context,
                                                               ServerSslMode mode, const std::string& host,
                                                               std::chrono::milliseconds timeout) {
  auto timed_out = std::make_shared<bool>(false);
  asio::steady_timer deadline(co_await asio::this_coro::executor, timeout);
  // The handler may run after this frame is gone (cancelled): it touches only
  // `server`, which the session owns, and the shared flag.
  deadline.async_wait([&server, timed_out](error_code ec) {
    if (!ec) {
      *timed_out = true;
      server.close();
    }
  });
  auto error = co_await negotiate(server, context, mode, host);
  deadline.cancel();
  if (error && *timed_out) {
    spdlog::error("server TLS: no TLS handshake within {} ms", timeout.count());
    co_return failure("the database server did not complete the TLS handshake in time",
                      "Check the server; [server] connect_timeout_ms bounds the handshake too.");
  }
  co_return error;
}

}  // namespace gdpr::proxy
