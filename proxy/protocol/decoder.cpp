#include "protocol/decoder.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gdpr::proxy::protocol {
namespace {

std::string printable_type(std::uint8_t type) {
  if (type >= 0x20 && type < 0x7f) return fmt::format("'{}'", static_cast<char>(type));
  return fmt::format("0x{:02x}", type);
}

}  // namespace

Decoder::Decoder(Direction direction, std::uint32_t max_message_bytes)
    : direction_(direction),
      max_message_bytes_(max_message_bytes),
      state_(direction == Direction::frontend ? DecoderState::startup : DecoderState::in_sync) {}

void Decoder::resume_startup() {
  if (state_ == DecoderState::tls_negotiation) state_ = DecoderState::startup;
}

DecodeStep Decoder::decode(wire::ByteView input, DecoderSink& sink) {
  switch (state_) {
    case DecoderState::startup:
      return decode_startup(input, sink);
    case DecoderState::tls_negotiation:
      // The client must wait for our one-byte answer. Bytes sent before it would
      // be read as if they had come over TLS (CVE-2021-23214), so refuse them.
      if (input.empty()) return {DecodeResult::NeedMoreData, 0};
      return fail(sink, {sqlstate::kProtocolViolation, "received unencrypted data after SSL request",
                         "This could be either a client-software bug or evidence of an attempted "
                         "man-in-the-middle attack."});
    case DecoderState::in_sync:
      return decode_typed(input, sink);
    case DecoderState::stopped:
      return {DecodeResult::Stopped, 0};
  }
  return {DecodeResult::Stopped, 0};
}

DecodeStep Decoder::decode_startup(wire::ByteView input, DecoderSink& sink) {
  if (input.size() < 4) return {DecodeResult::NeedMoreData, 0};
  const auto length = wire::load_u32(input.data());
  if (length < 8 || length > kMaxStartupPacket) {
    return fail(sink, {sqlstate::kProtocolViolation, "invalid length of startup packet",
                       fmt::format("A startup packet is 8 to {} bytes long.", kMaxStartupPacket)});
  }
  if (input.size() < length) return {DecodeResult::NeedMoreData, 0};
  const auto raw = input.first(length);
  StartupRequest request;
  if (auto error = parse_startup_packet(raw, request)) return fail(sink, std::move(*error));
  if (std::holds_alternative<SslRequest>(request) || std::holds_alternative<GssEncRequest>(request)) {
    state_ = DecoderState::tls_negotiation;
  } else if (std::holds_alternative<CancelRequest>(request)) {
    state_ = DecoderState::stopped;
  } else {
    state_ = DecoderState::in_sync;
  }
  sink.on_startup(request, raw);
  return {state_ == DecoderState::stopped ? DecodeResult::Stopped : DecodeResult::ReadyForNext, length};
}

DecodeStep Decoder::decode_typed(wire::ByteView input, DecoderSink& sink) {
  if (body_remaining_ > 0) {
    if (input.empty()) return {DecodeResult::NeedMoreData, 0};
    const auto slice = static_cast<std::size_t>(std::min<std::uint64_t>(body_remaining_, input.size()));
    body_remaining_ -= slice;
    sink.on_body(input.first(slice));
    if (body_remaining_ == 0) sink.on_message_end();
    return {DecodeResult::ReadyForNext, slice};
  }

  if (input.size() < kMessageHeaderSize) return {DecodeResult::NeedMoreData, 0};
  const std::uint8_t type = input[0];
  const auto length = wire::load_u32(input.data() + 1);
  const auto* format = find_message_format(direction_, type);
  const auto sender = direction_name(direction_);
  if (format == nullptr) {
    return fail(sink, {sqlstate::kProtocolViolation,
                       fmt::format("invalid message type {} from the {}", printable_type(type), sender),
                       "The connection is closed because the proxy cannot follow the protocol any more."});
  }
  if (length < 4) {
    return fail(sink,
                {sqlstate::kProtocolViolation,
                 fmt::format("invalid length {} of {} message from the {}", length, format->name, sender),
                 {}});
  }
  const std::uint32_t body = length - 4;
  if (body > max_message_bytes_) {
    return fail(sink, {sqlstate::kProtocolViolation,
                       fmt::format("{} message from the {} is {} bytes, over the limit of {} bytes",
                                   format->name, sender, body, max_message_bytes_),
                       "Raise [limits] max_message_bytes in the proxy configuration if this is legitimate."});
  }
  if (body < format->min_body || (format->max_body && body > *format->max_body)) {
    return fail(sink,
                {sqlstate::kProtocolViolation,
                 fmt::format("invalid length {} of {} message from the {}", length, format->name, sender),
                 {}});
  }

  const MessageHeader header{format, body};
  const std::size_t total = kMessageHeaderSize + body;
  if (input.size() >= total) {
    sink.on_message(header, input.first(total));
    return {DecodeResult::ReadyForNext, total};
  }
  if (format->access == BodyAccess::whole) return {DecodeResult::NeedMoreData, 0};
  body_remaining_ = body;
  sink.on_message_start(header, input.first(kMessageHeaderSize));
  return {DecodeResult::ReadyForNext, kMessageHeaderSize};
}

DecodeStep Decoder::fail(DecoderSink& sink, ProtocolError error) {
  state_ = DecoderState::stopped;
  body_remaining_ = 0;
  sink.on_error(error);
  return {DecodeResult::Stopped, 0};
}

std::string_view state_name(DecoderState state) {
  switch (state) {
    case DecoderState::startup:
      return "startup";
    case DecoderState::tls_negotiation:
      return "tls_negotiation";
    case DecoderState::in_sync:
      return "in_sync";
    case DecoderState::stopped:
      return "stopped";
  }
  return "?";
}

}  // namespace gdpr::proxy::protocol
