#include <gtest/gtest.h>

#include "protocol/decoder.hpp"
#include "protocol/messages.hpp"
#include "recording_sink.hpp"

namespace gdpr::proxy {
namespace {

using testing::feed;
using testing::RecordingSink;

// Serialises, decodes with the real decoder, returns the single message's body.
wire::Bytes decode_one(protocol::Direction direction, const wire::Bytes& message, char expected_type) {
  protocol::Decoder decoder(direction, 1u << 20);
  RecordingSink sink;
  feed(decoder, sink, {message});
  EXPECT_TRUE(sink.errors.empty());
  EXPECT_EQ(sink.messages.size(), 1u);
  if (sink.messages.empty()) return {};
  EXPECT_EQ(sink.messages[0].type, expected_type);
  return wire::Bytes(sink.messages[0].raw.begin() + 5, sink.messages[0].raw.end());
}

TEST(Messages, ErrorResponseRoundTrip) {
  protocol::ErrorResponse error(protocol::Severity::fatal, "28000", "TLS is required by this proxy",
                                "some detail", "Connect with sslmode=require.");
  const auto body = decode_one(protocol::Direction::backend, error.serialize(), 'E');
  auto parsed = protocol::ErrorResponse::parse(body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->severity, protocol::Severity::fatal);
  EXPECT_EQ(parsed->sqlstate, "28000");
  EXPECT_EQ(parsed->message, "TLS is required by this proxy");
  EXPECT_EQ(parsed->detail, "some detail");
  EXPECT_EQ(parsed->hint, "Connect with sslmode=require.");
}

TEST(Messages, ErrorResponseCannotBeBuiltWithoutSqlstate) {
  EXPECT_THROW(protocol::ErrorResponse(protocol::Severity::error, "", "no code"), std::invalid_argument);
  EXPECT_THROW(protocol::ErrorResponse(protocol::Severity::error, "08P0", "short code"),
               std::invalid_argument);
}

TEST(Messages, ErrorResponseParseRejectsMissingSqlstateAndTruncation) {
  const std::string no_code("SERROR\0Mmessage\0\0", 17);
  EXPECT_FALSE(protocol::ErrorResponse::parse(
      wire::ByteView(reinterpret_cast<const std::uint8_t*>(no_code.data()), no_code.size())));
  const std::string truncated("SERROR\0C08P01", 13);
  EXPECT_FALSE(protocol::ErrorResponse::parse(
      wire::ByteView(reinterpret_cast<const std::uint8_t*>(truncated.data()), truncated.size())));
}

TEST(Messages, BackendKeyDataRoundTrip) {
  const protocol::BackendKeyData key{0x7f00ff01, 0xdeadbeef};
  const auto body = decode_one(protocol::Direction::backend, key.serialize(), 'K');
  auto parsed = protocol::BackendKeyData::parse(body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->process_id, key.process_id);
  EXPECT_EQ(parsed->secret_key, key.secret_key);
}

TEST(Messages, EncryptionResponseIsOneByte) {
  EXPECT_EQ(protocol::EncryptionResponse{true}.serialize(), wire::Bytes{'S'});
  EXPECT_EQ(protocol::EncryptionResponse{false}.serialize(), wire::Bytes{'N'});
}

TEST(Messages, StartupMessageRoundTrip) {
  protocol::StartupMessage m;
  m.parameters = {{"user", "boris"}, {"database", "gdpr_demo"}, {"options", "-c search_path=public"}};
  protocol::Decoder decoder(protocol::Direction::frontend, 1u << 20);
  RecordingSink sink;
  feed(decoder, sink, {m.serialize()});
  ASSERT_EQ(sink.startups.size(), 1u);
  const auto& parsed = std::get<protocol::StartupMessage>(sink.startups[0]);
  EXPECT_EQ(parsed.parameters, m.parameters);
  EXPECT_EQ(parsed.user(), "boris");
  EXPECT_EQ(parsed.database(), "gdpr_demo");
}

TEST(Messages, DatabaseDefaultsToUserName) {
  protocol::StartupMessage m;
  m.parameters = {{"user", "carla"}};
  EXPECT_EQ(m.database(), "carla");
}

TEST(Messages, CancelRequestRoundTrip) {
  const protocol::CancelRequest cancel{77, 0xfeedface};
  const auto bytes = cancel.serialize();
  ASSERT_EQ(bytes.size(), 16u);
  protocol::StartupRequest request;
  ASSERT_FALSE(protocol::parse_startup_packet(bytes, request));
  const auto& back = std::get<protocol::CancelRequest>(request);
  EXPECT_EQ(back.process_id, 77u);
  EXPECT_EQ(back.secret_key, 0xfeedfaceu);
}

}  // namespace
}  // namespace gdpr::proxy
