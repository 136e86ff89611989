#include "protocol/startup.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gdpr::proxy::protocol {
namespace {

const std::string kEmpty;

ProtocolError violation(std::string message, std::string hint = {}) {
  return ProtocolError{sqlstate::kProtocolViolation, std::move(message), std::move(hint)};
}

std::optional<ProtocolError> parse_startup_message(std::uint32_t version, wire::ByteView body,
                                                   StartupRequest& request) {
  const auto major = version >> 16;
  const auto minor = version & 0xffff;
  if (version != kProtocolVersion3) {
    return violation(fmt::format("unsupported frontend protocol {}.{}: the proxy supports 3.0", major, minor),
                     "Use a client library that speaks protocol 3.0 (PostgreSQL 7.4 or later).");
  }
  StartupMessage message;
  message.protocol_version = version;
  wire::Reader reader(body);
  for (;;) {
    auto name = reader.cstring();
    if (!name) return violation("invalid startup packet layout: expected terminator as last byte");
    if (name->empty()) break;
    auto value = reader.cstring();
    if (!value)
      return violation(fmt::format("invalid startup packet layout: parameter \"{}\" has no value", *name));
    const bool duplicate = std::any_of(message.parameters.begin(), message.parameters.end(),
                                       [&](const auto& p) { return p.first == *name; });
    if (duplicate) return violation(fmt::format("duplicate startup parameter \"{}\"", *name));
    message.parameters.emplace_back(std::move(*name), std::move(*value));
  }
  if (!reader.at_end()) return violation("invalid startup packet layout: data after the terminator");
  if (message.user().empty()) {
    return ProtocolError{sqlstate::kInvalidAuthorization,
                         "no PostgreSQL user name specified in startup packet",
                         "Set the user in the connection string (user=...)."};
  }
  request.emplace<StartupMessage>(std::move(message));
  return std::nullopt;
}

}  // namespace

wire::Bytes CancelRequest::serialize() const {
  wire::Bytes out;
  wire::Writer w(out);
  w.u32(16);
  w.u32(kCancelRequestCode);
  w.u32(process_id);
  w.u32(secret_key);
  return out;
}

const std::string& StartupMessage::parameter(std::string_view name) const {
  for (const auto& [key, value] : parameters) {
    if (key == name) return value;
  }
  return kEmpty;
}

const std::string& StartupMessage::database() const {
  const auto& db = parameter("database");
  return db.empty() ? user() : db;
}

wire::Bytes StartupMessage::serialize() const {
  wire::Bytes out(4);
  wire::Writer w(out);
  w.u32(protocol_version);
  for (const auto& [key, value] : parameters) {
    w.cstring(key);
    w.cstring(value);
  }
  w.u8(0);
  const auto length = static_cast<std::uint32_t>(out.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
  return out;
}

std::optional<ProtocolError> parse_startup_packet(wire::ByteView packet, StartupRequest& request) {
  const auto code = wire::load_u32(packet.data() + 4);
  const auto body = packet.subspan(8);
  switch (code) {
    case kSslRequestCode:
      if (!body.empty()) return violation("invalid length of SSLRequest packet");
      request.emplace<SslRequest>();
      return std::nullopt;
    case kGssEncRequestCode:
      if (!body.empty()) return violation("invalid length of GSSENCRequest packet");
      request.emplace<GssEncRequest>();
      return std::nullopt;
    case kCancelRequestCode: {
      if (body.size() != 8) return violation("invalid length of CancelRequest packet");
      request.emplace<CancelRequest>(
          CancelRequest{wire::load_u32(body.data()), wire::load_u32(body.data() + 4)});
      return std::nullopt;
    }
    default:
      return parse_startup_message(code, body, request);
  }
}

}  // namespace gdpr::proxy::protocol
