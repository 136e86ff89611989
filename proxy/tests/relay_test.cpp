// The relay over real loopback TCP sockets: what the server side writes
// arrives at the client side byte for byte, except BackendKeyData, which is
// replaced by a key that maps back to the server's in the cancel registry.

#include <gtest/gtest.h>

#include "protocol/messages.hpp"
#include "recording_sink.hpp"
#include "server/backend_key_interceptor.hpp"
#include "server/relay.hpp"

namespace gdpr::proxy {
namespace {

using testing::concat;
using testing::typed;

// Two connected TCP sockets on 127.0.0.1.
std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket a(io), b(io);
  a.connect(acceptor.local_endpoint());
  acceptor.accept(b);
  return {std::move(a), std::move(b)};
}

struct Outcome {
  RelayResult result;
  wire::Bytes received;
};

// Server writes `input` in `chunk`-sized pieces and closes; the relay forwards
// it to the client side, whose bytes are collected until EOF.
Outcome relay_from_server(const wire::Bytes& input, std::size_t chunk, MessageInterceptor* interceptor) {
  asio::io_context io;
  auto [server_end, proxy_server_side] = socket_pair(io);
  auto [proxy_client_side, client_end] = socket_pair(io);
  Transport from(std::move(proxy_server_side));
  Transport to(std::move(proxy_client_side));
  protocol::Decoder decoder(protocol::Direction::backend, 1u << 24);
  Relay relay(from, to, decoder, interceptor);
  Outcome outcome;

  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < input.size(); i += chunk) {
          const auto n = std::min(chunk, input.size() - i);
          co_await asio::async_write(server_end, asio::buffer(input.data() + i, n), use_tuple);
        }
        server_end.shutdown(tcp::socket::shutdown_send);
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        outcome.result = co_await relay.run({});
        to.close();
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::uint8_t buffer[8192];
        for (;;) {
          auto [ec, n] = co_await client_end.async_read_some(asio::buffer(buffer), use_tuple);
          if (ec) break;
          outcome.received.insert(outcome.received.end(), buffer, buffer + n);
        }
      },
      asio::detached);
  io.run();
  return outcome;
}

wire::Bytes server_greeting(const wire::Bytes& key_message) {
  return concat({typed('R', std::string("\0\0\0\0", 4)), typed('S', std::string("TimeZone\0UTC\0", 13)),
                 key_message, typed('Z', "I")});
}

TEST(Relay, ReplacesTheServersKeyAndForwardsEverythingElseUnchanged) {
  const protocol::BackendKeyData server_key{4242, 0x5ec12e7};
  // (write size, row size): tiny writes split every header; big rows stream through many reads.
  const std::pair<std::size_t, std::size_t> cases[] = {
      {1, 100}, {7, 5000}, {4096, 3u << 20}, {1u << 20, 3u << 20}};
  for (const auto& [chunk, row_size] : cases) {
    const std::string row(row_size, 'r');
    const auto input = concat({server_greeting(server_key.serialize()), typed('D', row), typed('Z', "I")});
    CancelRegistry registry;
    BackendKeyInterceptor interceptor(registry, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 5432));
    auto outcome = relay_from_server(input, chunk, &interceptor);

    EXPECT_EQ(outcome.result.end, RelayEnd::source_closed) << "chunk " << chunk;
    EXPECT_EQ(outcome.result.messages, 6u);
    // The key the client got is the proxy's, and it maps back to the server's.
    const auto issued = interceptor.issued_key();
    const auto client_key = protocol::BackendKeyData{issued.process_id, issued.secret_key}.serialize();
    const auto expected = concat({server_greeting(client_key), typed('D', row), typed('Z', "I")});
    ASSERT_EQ(outcome.received.size(), expected.size()) << "chunk " << chunk;
    EXPECT_TRUE(outcome.received == expected) << "chunk " << chunk;
    EXPECT_NE(issued.process_id, server_key.process_id);
    auto target = registry.find(issued);
    ASSERT_TRUE(target);
    EXPECT_EQ(target->server_key.process_id, server_key.process_id);
    EXPECT_EQ(target->server_key.secret_key, server_key.secret_key);
  }
}

TEST(Relay, StopsAtAMalformedMessageAfterForwardingTheGoodOnes) {
  const auto good = server_greeting(protocol::BackendKeyData{1, 2}.serialize());
  const auto input = concat({good, wire::Bytes{'?', 0, 0, 0, 4}, typed('Z', "I")});
  auto outcome = relay_from_server(input, 4096, nullptr);
  EXPECT_EQ(outcome.result.end, RelayEnd::protocol_error);
  ASSERT_TRUE(outcome.result.error);
  EXPECT_EQ(outcome.result.error->sqlstate, "08P01");
  EXPECT_EQ(outcome.result.error->message, "invalid message type '?' from the server");
  // Without an interceptor the good messages pass unchanged; nothing after the bad one does.
  EXPECT_TRUE(outcome.received == good);
}

TEST(Relay, ReportsAVanishedPeerMidMessage) {
  const auto input = typed('D', std::string(100000, 'x'));
  const wire::Bytes truncated(input.begin(), input.begin() + 50000);
  auto outcome = relay_from_server(truncated, 8192, nullptr);
  EXPECT_EQ(outcome.result.end, RelayEnd::source_closed);
  EXPECT_TRUE(outcome.result.ended_mid_message);
  EXPECT_EQ(outcome.received.size(), truncated.size());
}

}  // namespace
}  // namespace gdpr::proxy
