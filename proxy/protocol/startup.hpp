#pragma once
// The untyped packets a client may open a connection with: SSLRequest,
// GSSENCRequest, CancelRequest and StartupMessage (protocol 3.0 only).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/protocol_error.hpp"
#include "protocol/wire.hpp"

namespace gdpr::proxy::protocol {

// PostgreSQL's own cap (MAX_STARTUP_PACKET_LENGTH); longer is an attack or garbage.
inline constexpr std::uint32_t kMaxStartupPacket = 10000;

inline constexpr std::uint32_t kProtocolVersion3 = 196608;  // 3.0
inline constexpr std::uint32_t kCancelRequestCode = 80877102;
inline constexpr std::uint32_t kSslRequestCode = 80877103;
inline constexpr std::uint32_t kGssEncRequestCode = 80877104;

struct SslRequest {};
struct GssEncRequest {};

struct CancelRequest {
  std::uint32_t process_id = 0;
  std::uint32_t secret_key = 0;
  wire::Bytes serialize() const;
};

struct StartupMessage {
  std::uint32_t protocol_version = kProtocolVersion3;
  // In the order the client sent them; names are unique.
  std::vector<std::pair<std::string, std::string>> parameters;

  // "" when absent.
  const std::string& parameter(std::string_view name) const;
  const std::string& user() const { return parameter("user"); }
  // PostgreSQL defaults the database to the user name.
  const std::string& database() const;
  wire::Bytes serialize() const;
};

using StartupRequest = std::variant<SslRequest, GssEncRequest, CancelRequest, StartupMessage>;

// Parses a complete startup packet (length word included, already checked to
// be within [8, kMaxStartupPacket] and equal to packet.size()) into `request`.
// Returns the violation instead when the packet is malformed. (An out
// parameter rather than variant<variant, error>: GCC 12 reports false
// maybe-uninitialized warnings for the nested variant under sanitizers.)
std::optional<ProtocolError> parse_startup_packet(wire::ByteView packet, StartupRequest& request);

}  // namespace gdpr::proxy::protocol
