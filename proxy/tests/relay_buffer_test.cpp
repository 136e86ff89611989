// Idle relays hold no read buffer: a relay waiting for its peer has given its
// buffer back to the thread's pool, takes one when bytes arrive, and still
// forwards every byte (including a message split across reads, during which
// it keeps the buffer).

#include <gtest/gtest.h>

#include "recording_sink.hpp"
#include "server/relay.hpp"
#include "server/relay_buffer.hpp"

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;
using testing::concat;
using testing::typed;

std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket a(io), b(io);
  a.connect(acceptor.local_endpoint());
  acceptor.accept(b);
  return {std::move(a), std::move(b)};
}

TEST(RelayBuffer, ComesFromAndReturnsToTheThreadsPool) {
  const auto in_use = RelayBuffer::in_use_on_this_thread();
  {
    RelayBuffer a;
    EXPECT_FALSE(a.held());
    EXPECT_EQ(a.get(), nullptr);
    a.acquire();
    ASSERT_TRUE(a.held());
    const auto* block = a.get();
    EXPECT_EQ(RelayBuffer::in_use_on_this_thread(), in_use + 1);
    a.release();
    EXPECT_EQ(RelayBuffer::in_use_on_this_thread(), in_use);
    RelayBuffer b;
    b.acquire();
    EXPECT_EQ(b.get(), block) << "a released block is reused";
  }
  EXPECT_EQ(RelayBuffer::in_use_on_this_thread(), in_use);
  EXPECT_GE(RelayBuffer::pooled_on_this_thread(), 1u);
}

TEST(RelayBuffer, AnIdleRelayHoldsNoBuffer) {
  asio::io_context io;
  auto [server_end, proxy_server_side] = socket_pair(io);
  auto [proxy_client_side, client_end] = socket_pair(io);
  Transport from(std::move(proxy_server_side));
  Transport to(std::move(proxy_client_side));
  protocol::Decoder decoder(protocol::Direction::backend, 1u << 24);
  Relay relay(from, to, decoder, nullptr);
  const auto baseline = RelayBuffer::in_use_on_this_thread();

  const auto first = typed('Z', "I");
  const auto row = typed('D', std::string(200000, 'r'));  // larger than a buffer: many reads
  std::vector<std::size_t> in_use_while_idle;
  std::size_t in_use_mid_message = 0;
  wire::Bytes received;
  RelayResult result;

  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await relay.run({}); }, asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer pause(io);
        auto settle = [&]() -> asio::awaitable<void> {
          pause.expires_after(50ms);
          co_await pause.async_wait(use_tuple);
        };
        co_await settle();
        in_use_while_idle.push_back(RelayBuffer::in_use_on_this_thread());  // before any byte
        co_await asio::async_write(server_end, asio::buffer(first), use_tuple);
        co_await settle();
        in_use_while_idle.push_back(RelayBuffer::in_use_on_this_thread());  // after a whole message
        // Half a header: the relay must keep the bytes (and so the buffer) until the rest comes.
        co_await asio::async_write(server_end, asio::buffer(row.data(), 3), use_tuple);
        co_await settle();
        in_use_mid_message = RelayBuffer::in_use_on_this_thread();
        co_await asio::async_write(server_end, asio::buffer(row.data() + 3, row.size() - 3), use_tuple);
        co_await settle();
        in_use_while_idle.push_back(RelayBuffer::in_use_on_this_thread());
        server_end.shutdown(tcp::socket::shutdown_send);
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::uint8_t buffer[8192];
        for (;;) {
          auto [ec, n] = co_await client_end.async_read_some(asio::buffer(buffer), use_tuple);
          if (ec) break;
          received.insert(received.end(), buffer, buffer + n);
          if (received.size() == first.size() + row.size()) to.close();
        }
      },
      asio::detached);
  io.run_for(20s);

  ASSERT_EQ(in_use_while_idle.size(), 3u);
  for (auto n : in_use_while_idle) EXPECT_EQ(n, baseline);
  EXPECT_EQ(in_use_mid_message, baseline + 1);
  EXPECT_TRUE(received == concat({first, row}));
  EXPECT_EQ(result.messages, 2u);
  EXPECT_EQ(RelayBuffer::in_use_on_this_thread(), baseline);
}

}  // namespace
}  // namespace gdpr::proxy
