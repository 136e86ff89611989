#include <gtest/gtest.h>

#include <random>

#include "protocol/decoder.hpp"
#include "protocol/messages.hpp"
#include "recording_sink.hpp"

namespace gdpr::proxy {
namespace {

using protocol::Decoder;
using protocol::DecodeResult;
using protocol::DecoderState;
using protocol::Direction;
using testing::concat;
using testing::feed;
using testing::RecordingSink;
using testing::typed;

constexpr std::uint32_t kLimit = 1u << 20;

wire::Bytes startup_packet() {
  protocol::StartupMessage m;
  m.parameters = {{"user", "anna"}, {"database", "gdpr_demo"}, {"application_name", "psql"}};
  return m.serialize();
}

wire::Bytes ssl_request() {
  wire::Bytes out;
  wire::Writer w(out);
  w.u32(8);
  w.u32(protocol::kSslRequestCode);
  return out;
}

// A conversation a client could send: start-up, a simple query, an extended
// query batch and a terminate.
wire::Bytes client_stream() {
  return concat({startup_packet(), typed('Q', std::string("select count(*) from calls\0", 27)),
                 typed('P', std::string("s1\0select $1\0\0\0", 15)),
                 typed('B', std::string("\0s1\0\0\0\0\0\0\0", 10)), typed('E', std::string("\0\0\0\0\0", 5)),
                 typed('S', ""), typed('X', "")});
}

wire::Bytes server_stream() {
  return concat({typed('R', std::string("\0\0\0\0", 4)), typed('S', std::string("TimeZone\0UTC\0", 13)),
                 protocol::BackendKeyData{42, 7}.serialize(), typed('Z', "I"),
                 typed('T', std::string("\0\1count\0\0\0\0\0\0\0\0\0\0\x14\0\x08\xff\xff\xff\xff\0\0", 26)),
                 typed('D', std::string("\0\1\0\0\0\x04"
                                        "1000",
                                        10)),
                 typed('C', std::string("SELECT 1\0", 9)), typed('Z', "I")});
}

TEST(Decoder, ClientConversationDecodesAtEverySplitPoint) {
  const auto stream = client_stream();
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    Decoder decoder(Direction::frontend, kLimit);
    RecordingSink sink;
    auto outcome = feed(decoder, sink,
                        {wire::Bytes(stream.begin(), stream.begin() + split),
                         wire::Bytes(stream.begin() + split, stream.end())});
    ASSERT_EQ(outcome.result, DecodeResult::NeedMoreData) << "split " << split;
    ASSERT_TRUE(sink.errors.empty()) << "split " << split;
    ASSERT_EQ(sink.startups.size(), 1u);
    ASSERT_EQ(sink.messages.size(), 6u) << "split " << split;
    EXPECT_EQ(sink.messages[0].name, "Query");
    EXPECT_EQ(sink.messages[5].name, "Terminate");
    EXPECT_EQ(sink.forwarded, stream) << "split " << split;
    EXPECT_TRUE(outcome.pending.empty());
  }
}

TEST(Decoder, ServerConversationDecodesAtEveryPairOfSplitPoints) {
  const auto stream = server_stream();
  for (std::size_t a = 0; a <= stream.size(); a += 3) {
    for (std::size_t b = a; b <= stream.size(); ++b) {
      Decoder decoder(Direction::backend, kLimit);
      RecordingSink sink;
      feed(decoder, sink,
           {wire::Bytes(stream.begin(), stream.begin() + a),
            wire::Bytes(stream.begin() + a, stream.begin() + b),
            wire::Bytes(stream.begin() + b, stream.end())});
      ASSERT_TRUE(sink.errors.empty());
      ASSERT_EQ(sink.messages.size(), 8u) << a << "/" << b;
      EXPECT_EQ(sink.forwarded, stream) << a << "/" << b;
      // BackendKeyData is always delivered whole, never streamed, so the proxy can replace it.
      EXPECT_EQ(sink.messages[2].name, "BackendKeyData");
      EXPECT_FALSE(sink.messages[2].streamed);
    }
  }
}

TEST(Decoder, OneByteAtATime) {
  const auto stream = server_stream();
  std::vector<wire::Bytes> chunks;
  for (auto b : stream) chunks.push_back({b});
  Decoder decoder(Direction::backend, kLimit);
  RecordingSink sink;
  feed(decoder, sink, chunks);
  EXPECT_EQ(sink.messages.size(), 8u);
  EXPECT_EQ(sink.forwarded, stream);
}

TEST(Decoder, SeveralMessagesInOneBufferAreDeliveredWholeAndInOrder) {
  Decoder decoder(Direction::backend, kLimit);
  RecordingSink sink;
  feed(decoder, sink, {server_stream()});
  ASSERT_EQ(sink.messages.size(), 8u);
  std::string types;
  for (const auto& m : sink.messages) {
    types += m.type;
    EXPECT_FALSE(m.streamed);
  }
  EXPECT_EQ(types, "RSKZTDCZ");
}

TEST(Decoder, LargeBodyStreamsInSlicesWithoutWaitingForTheWhole) {
  Decoder decoder(Direction::backend, kLimit);
  RecordingSink sink;
  const std::string body(300000, 'x');
  const auto message = typed('D', body);
  // Arrives in 16 KiB reads; the decoder must hand each slice on at once.
  std::vector<wire::Bytes> chunks;
  for (std::size_t i = 0; i < message.size(); i += 16384) {
    chunks.emplace_back(message.begin() + i, message.begin() + std::min(message.size(), i + 16384));
  }
  auto outcome = feed(decoder, sink, chunks);
  EXPECT_TRUE(outcome.pending.empty());
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_TRUE(sink.messages[0].streamed);
  EXPECT_EQ(sink.messages[0].raw, message);
  EXPECT_LE(sink.largest_slice, 16384u);
}

TEST(Decoder, StartupPacketOverTenThousandBytesIsRefused) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  wire::Bytes packet;
  wire::Writer w(packet);
  w.u32(10001);
  w.u32(protocol::kProtocolVersion3);
  auto outcome = feed(decoder, sink, {packet});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "08P01");
  EXPECT_EQ(sink.errors[0].message, "invalid length of startup packet");
  EXPECT_EQ(decoder.state(), DecoderState::stopped);
}

TEST(Decoder, StartupPacketUnderEightBytesIsRefused) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  auto outcome = feed(decoder, sink, {{0, 0, 0, 7, 0, 3, 0}});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "08P01");
}

TEST(Decoder, ProtocolTwoIsRefusedWith08P01) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  protocol::StartupMessage m;
  m.protocol_version = 2 << 16;
  m.parameters = {{"user", "anna"}};
  feed(decoder, sink, {m.serialize()});
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "08P01");
  EXPECT_EQ(sink.errors[0].message, "unsupported frontend protocol 2.0: the proxy supports 3.0");
}

TEST(Decoder, StartupWithoutUserIsRefusedWith28000) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  protocol::StartupMessage m;
  m.parameters = {{"database", "x"}};
  feed(decoder, sink, {m.serialize()});
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "28000");
}

TEST(Decoder, MalformedStartupParametersAreRefused) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  wire::Bytes packet;
  wire::Writer w(packet);
  w.u32(17);
  w.u32(protocol::kProtocolVersion3);
  for (char c : std::string("user\0ann", 8)) w.u8(static_cast<std::uint8_t>(c));  // no terminators
  w.u8('a');
  feed(decoder, sink, {packet});
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "08P01");
}

TEST(Decoder, SslRequestMovesToTlsNegotiationAndBackToStartup) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  auto outcome = feed(decoder, sink, {ssl_request()});
  EXPECT_EQ(outcome.result, DecodeResult::NeedMoreData);
  EXPECT_EQ(decoder.state(), DecoderState::tls_negotiation);
  ASSERT_EQ(sink.startups.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<protocol::SslRequest>(sink.startups[0]));
  decoder.resume_startup();
  EXPECT_EQ(decoder.state(), DecoderState::startup);
  feed(decoder, sink, {startup_packet()});
  EXPECT_EQ(decoder.state(), DecoderState::in_sync);
  EXPECT_TRUE(sink.errors.empty());
}

TEST(Decoder, PlaintextPipelinedAfterSslRequestIsRefused) {
  // CVE-2021-23214: bytes sent before the server's answer must not be trusted.
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  auto outcome = feed(decoder, sink, {concat({ssl_request(), startup_packet()})});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].message, "received unencrypted data after SSL request");
}

TEST(Decoder, CancelRequestStopsTheDecoder) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  auto outcome = feed(decoder, sink, {protocol::CancelRequest{1234, 5678}.serialize()});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  EXPECT_TRUE(sink.errors.empty());
  ASSERT_EQ(sink.startups.size(), 1u);
  const auto& cancel = std::get<protocol::CancelRequest>(sink.startups[0]);
  EXPECT_EQ(cancel.process_id, 1234u);
  EXPECT_EQ(cancel.secret_key, 5678u);
}

TEST(Decoder, MessageOverTheConfiguredLimitIsRefusedFromItsHeader) {
  Decoder decoder(Direction::frontend, 4096);
  RecordingSink sink;
  feed(decoder, sink, {startup_packet()});
  // Only the header is sent: the limit must apply before any body arrives.
  auto outcome = feed(decoder, sink, {{'Q', 0, 0, 0x10, 0x05}});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "08P01");
  EXPECT_NE(sink.errors[0].message.find("over the limit of 4096 bytes"), std::string::npos);
}

TEST(Decoder, LengthWordBelowFourIsRefused) {
  Decoder decoder(Direction::backend, kLimit);
  RecordingSink sink;
  auto outcome = feed(decoder, sink, {{'Z', 0, 0, 0, 3}});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].message, "invalid length 3 of ReadyForQuery message from the server");
}

TEST(Decoder, FixedSizeMessagesMustHaveTheirSize) {
  Decoder decoder(Direction::backend, kLimit);
  RecordingSink sink;
  feed(decoder, sink, {typed('K', "123456789")});  // BackendKeyData is exactly 8 bytes
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].message, "invalid length 13 of BackendKeyData message from the server");
}

TEST(Decoder, UnknownTypeInSyncIsAProtocolViolation) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  feed(decoder, sink, {startup_packet()});
  auto outcome = feed(decoder, sink, {typed('z', "")});
  EXPECT_EQ(outcome.result, DecodeResult::Stopped);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].sqlstate, "08P01");
  EXPECT_EQ(sink.errors[0].message, "invalid message type 'z' from the client");
  // A stopped decoder stays stopped and consumes nothing.
  RecordingSink after;
  auto again = feed(decoder, after, {typed('Q', std::string("select 1\0", 9))});
  EXPECT_EQ(again.result, DecodeResult::Stopped);
  EXPECT_TRUE(after.messages.empty());
}

TEST(Decoder, ServerOnlyTypesAreUnknownFromTheClient) {
  Decoder decoder(Direction::frontend, kLimit);
  RecordingSink sink;
  feed(decoder, sink, {startup_packet()});
  feed(decoder, sink, {protocol::BackendKeyData{1, 2}.serialize()});
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].message, "invalid message type 'K' from the client");
}

TEST(Decoder, RandomBytesNeverCrashAndEitherStopOrWaitForMore) {
  std::mt19937 random(20261124);
  for (int round = 0; round < 3000; ++round) {
    const auto direction = round % 2 == 0 ? Direction::frontend : Direction::backend;
    Decoder decoder(direction, 1u << 16);
    RecordingSink sink;
    wire::Bytes bytes(random() % 200);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    // Sometimes start from a valid prefix so the in_sync paths are reached too.
    if (direction == Direction::frontend && round % 4 == 0) {
      const auto prefix = startup_packet();
      bytes.insert(bytes.begin(), prefix.begin(), prefix.end());
    }
    std::vector<wire::Bytes> chunks;
    for (std::size_t i = 0; i < bytes.size();) {
      const std::size_t n = 1 + random() % 32;
      chunks.emplace_back(bytes.begin() + i, bytes.begin() + std::min(bytes.size(), i + n));
      i += n;
    }
    auto outcome = feed(decoder, sink, chunks);
    EXPECT_NE(outcome.result, DecodeResult::ReadyForNext);
    if (outcome.result == DecodeResult::Stopped) {
      EXPECT_EQ(decoder.state(), DecoderState::stopped);
    }
    for (const auto& e : sink.errors) EXPECT_EQ(e.sqlstate.size(), 5u);
  }
}

}  // namespace
}  // namespace gdpr::proxy
