// The start of TLS towards PostgreSQL, against a fake server on loopback: the
// proxy sends an SSLRequest and refuses, with a FATAL that says what to do, a
// server that declines TLS, answers garbage, or slips plaintext in after 'S'.
// (The handshake and certificate checks themselves run against a real
// PostgreSQL in tests/e2e/proxy_server_tls.sh.)

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "protocol/startup.hpp"
#include "server/server_tls.hpp"
#include "server/tls_contexts.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

struct Outcome {
  std::optional<protocol::ProtocolError> error;
  wire::Bytes request;  // what the fake server received
};

// The fake server reads the SSLRequest, writes `answer`, then closes (or
// stays silent with `stall`).
Outcome against_fake_server(const std::string& answer, bool stall = false) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket proxy_side(io), server_side(io);
  proxy_side.connect(acceptor.local_endpoint());
  acceptor.accept(server_side);
  Transport server(std::move(proxy_side));
  Config config;
  config.server_sslmode = ServerSslMode::require;
  auto context = make_server_tls_context(config);
  Outcome outcome;
  outcome.request.resize(8);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await asio::async_read(server_side, asio::buffer(outcome.request), use_tuple);
        co_await asio::async_write(server_side, asio::buffer(answer), use_tuple);
        if (!stall) server_side.close();
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        outcome.error = co_await start_server_tls(server, *context, ServerSslMode::require, "127.0.0.1",
                                                  std::chrono::milliseconds(300));
        server.close();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(20));
  return outcome;
}

TEST(ServerTls, SendsAnSslRequest) {
  const auto outcome = against_fake_server("N");
  const wire::Bytes expected{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};  // 80877103
  EXPECT_TRUE(outcome.request == expected);
}

TEST(ServerTls, AServerThatDeclinesIsRefusedWithAHint) {
  const auto outcome = against_fake_server("N");
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->sqlstate, "08006");
  EXPECT_EQ(outcome.error->message,
            "the database server does not accept TLS, and gdpr-proxy's [server] sslmode is \"require\"");
  EXPECT_EQ(outcome.error->hint,
            "Turn on ssl in the server's postgresql.conf, or set [server] sslmode = \"disable\".");
}

TEST(ServerTls, AnInvalidAnswerIsRefused) {
  const auto outcome = against_fake_server("E");
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->sqlstate, "08006");
  EXPECT_EQ(outcome.error->message, "the database server sent an invalid answer to the TLS request");
}

TEST(ServerTls, PlaintextAfterAcceptingIsRefused) {
  // CVE-2021-23222: bytes injected before the handshake must not be read as protected.
  const auto outcome = against_fake_server(std::string("SR\0\0\0\x08\0\0\0\0", 10));
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->message, "the database server sent unencrypted data after accepting TLS");
}

TEST(ServerTls, AHandshakeWithANonTlsPeerFails) {
  const auto outcome = against_fake_server("S");
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->sqlstate, "08006");
  EXPECT_EQ(outcome.error->message.rfind("TLS handshake with the database server failed: ", 0), 0u)
      << outcome.error->message;
}

TEST(ServerTls, AStalledHandshakeIsCutOff) {
  const auto outcome = against_fake_server("S", /*stall=*/true);
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->sqlstate, "08006");
  EXPECT_EQ(outcome.error->message, "the database server did not complete the TLS handshake in time");
}

}  // namespace
}  // namespace gdpr::proxy
