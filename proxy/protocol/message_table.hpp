#pragma once
// The declarative description of PostgreSQL protocol 3.0 typed messages:
// which type bytes each side may send, what they are called and how large
// their body may be. The decoder consults this table and nothing else, so
// adding or tightening a message is a one-line change here.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gdpr::proxy::protocol {

// Who sends the bytes being decoded.
enum class Direction : std::uint8_t {
  frontend,  // client -> proxy -> server
  backend,   // server -> proxy -> client
};

// What the proxy needs from a message's body.
enum class BodyAccess : std::uint8_t {
  stream,  // relayed as it arrives; may be larger than any buffer (DataRow, CopyData, Query, ...)
  whole,   // the proxy inspects or rewrites it, so the decoder delivers it complete (small by rule)
};

struct MessageFormat {
  char type;
  std::string_view name;
  // Body layout as the protocol documentation writes it; for logs and docs.
  std::string_view layout;
  std::uint32_t min_body;
  // nullopt = bounded only by the configured message limit.
  std::optional<std::uint32_t> max_body;
  BodyAccess access;
};

// Largest body a `whole` message may have; the relay's read buffer is sized
// so that such a message always fits.
inline constexpr std::uint32_t kMaxWholeBody = 8 * 1024;

// nullptr when `type` is not a message `direction` may send in protocol 3.0.
const MessageFormat* find_message_format(Direction direction, std::uint8_t type);

std::string_view direction_name(Direction direction);

}  // namespace gdpr::proxy::protocol
