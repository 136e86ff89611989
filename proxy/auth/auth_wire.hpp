#pragma once
// The authentication-phase messages the proxy writes and reads itself, and a
// reader of whole, length-capped messages for that phase (before the relay
// takes over, the proxy consumes messages instead of forwarding them).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/protocol_error.hpp"
#include "protocol/wire.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport;

namespace sqlstate_auth {
inline constexpr const char* kInvalidPassword = "28P01";
inline constexpr const char* kInsufficientPrivilege = "42501";
}  // namespace sqlstate_auth

// Authentication request codes (the Int32 after 'R').
enum class AuthCode : std::uint32_t {
  ok = 0,
  kerberos_v5 = 2,
  cleartext_password = 3,
  md5_password = 5,
  gss = 7,
  gss_continue = 8,
  sspi = 9,
  sasl = 10,
  sasl_continue = 11,
  sasl_final = 12,
};
std::string_view auth_method_name(std::uint32_t code);

struct AuthenticationOk {
  wire::Bytes serialize() const;
};
// AuthenticationSASL listing one mechanism.
struct AuthenticationSasl {
  std::string mechanism;
  wire::Bytes serialize() const;
};
struct AuthenticationSaslContinue {
  std::string data;
  wire::Bytes serialize() const;
};
struct AuthenticationSaslFinal {
  std::string data;
  wire::Bytes serialize() const;
};

// The client's SASLInitialResponse ('p'): mechanism, Int32 length, data.
struct SaslInitialResponse {
  std::string mechanism;
  std::string data;
  // `body` excludes the header; nullopt when malformed (including length -1:
  // SCRAM's first message is never empty).
  static std::optional<SaslInitialResponse> parse(wire::ByteView body);
  wire::Bytes serialize() const;
};

struct WholeMessage {
  std::uint8_t type = 0;
  wire::Bytes body;
  // type + length + body, for relaying it unchanged.
  wire::Bytes raw() const;
};

struct ReadOutcome {
  std::optional<WholeMessage> message;
  // Set when the bytes are not a valid message header (length < 4 or > cap).
  std::optional<protocol::ProtocolError> violation;
  // Both empty: the peer closed the connection or the read failed.
};

// Reads one whole message from `transport`, first consuming `buffer` (bytes
// already received); bytes after the message stay in `buffer`.
asio::awaitable<ReadOutcome> read_whole_message(Transport& transport, wire::Bytes& buffer,
                                                std::uint32_t max_body);

}  // namespace gdpr::proxy
