#include "auth/auth_wire.hpp"

#include <fmt/format.h>

#include <array>

#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

wire::Bytes authentication(AuthCode code, std::string_view data = {}) {
  wire::MessageBuilder builder('R');
  auto body = builder.body();
  body.u32(static_cast<std::uint32_t>(code));
  body.bytes(wire::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  return std::move(builder).finish();
}

}  // namespace

std::string_view auth_method_name(std::uint32_t code) {
  switch (static_cast<AuthCode>(code)) {
    case AuthCode::ok:
      return "trust";
    case AuthCode::kerberos_v5:
      return "Kerberos V5";
    case AuthCode::cleartext_password:
      return "password";
    case AuthCode::md5_password:
      return "md5";
    case AuthCode::gss:
    case AuthCode::gss_continue:
      return "GSSAPI";
    case AuthCode::sspi:
      return "SSPI";
    case AuthCode::sasl:
    case AuthCode::sasl_continue:
    case AuthCode::sasl_final:
      return "SCRAM-SHA-256";
  }
  return "unknown";
}

wire::Bytes AuthenticationOk::serialize() const { return authentication(AuthCode::ok); }

wire::Bytes AuthenticationSasl::serialize() const {
  wire::MessageBuilder builder('R');
  auto body = builder.body();
  body.u32(static_cast<std::uint32_t>(AuthCode::sasl));
  body.cstring(mechanism);
  body.u8(0);  // end of the mechanism list
  return std::move(builder).finish();
}

wire::Bytes AuthenticationSaslContinue::serialize() const {
  return authentication(AuthCode::sasl_continue, data);
}

wire::Bytes AuthenticationSaslFinal::serialize() const { return authentication(AuthCode::sasl_final, data); }

std::optional<SaslInitialResponse> SaslInitialResponse::parse(wire::ByteView body) {
  wire::Reader reader(body);
  auto mechanism = reader.cstring();
  auto length = reader.i32();
  if (!mechanism || !length || *length < 0 || static_cast<std::size_t>(*length) != reader.remaining())
    return std::nullopt;
  const auto data = body.subspan(body.size() - reader.remaining());
  return SaslInitialResponse{std::move(*mechanism), std::string(data.begin(), data.end())};
}

wire::Bytes SaslInitialResponse::serialize() const {
  wire::MessageBuilder builder('p');
  auto body = builder.body();
  body.cstring(mechanism);
  body.i32(static_cast<std::int32_t>(data.size()));
  body.bytes(wire::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  return std::move(builder).finish();
}

wire::Bytes WholeMessage::raw() const {
  wire::MessageBuilder builder(static_cast<char>(type));
  builder.body().bytes(body);
  return std::move(builder).finish();
}

asio::awaitable<ReadOutcome> read_whole_message(Transport& transport, wire::Bytes& buffer,
                                                std::uint32_t max_body) {
  std::array<std::uint8_t, 4096> chunk;
  for (;;) {
    if (buffer.size() >= 5) {
      const auto length = wire::load_u32(buffer.data() + 1);
      if (length < 4 || length - 4 > max_body) {
        ReadOutcome bad;
        bad.violation = protocol::ProtocolError{
            protocol::sqlstate::kProtocolViolation,
            length < 4 ? fmt::format("invalid message length {}", length)
                       : fmt::format("message of {} bytes is too long for the authentication phase", length),
            {}};
        co_return bad;
      }
      if (buffer.size() >= 1 + std::size_t{length}) {
        ReadOutcome outcome;
        outcome.message =
            WholeMessage{buffer[0], wire::Bytes(buffer.begin() + 5, buffer.begin() + 1 + length)};
        buffer.erase(buffer.begin(), buffer.begin() + 1 + length);
        co_return outcome;
      }
    }
    auto [ec, n] = co_await transport.read_some(asio::buffer(chunk));
    if (ec) co_return ReadOutcome{};
    buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

}  // namespace gdpr::proxy
