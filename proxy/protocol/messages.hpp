#pragma once
// Messages the proxy writes itself, one small type each with serialize()
// (and parse() where the proxy also reads them from the server or tests
// round-trip them). Everything else is relayed byte for byte.

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/protocol_error.hpp"
#include "protocol/wire.hpp"

namespace gdpr::proxy::protocol {

// The single byte answering SSLRequest / GSSENCRequest.
struct EncryptionResponse {
  bool accepted = false;
  wire::Bytes serialize() const { return {static_cast<std::uint8_t>(accepted ? 'S' : 'N')}; }
};

struct BackendKeyData {
  std::uint32_t process_id = 0;
  std::uint32_t secret_key = 0;
  wire::Bytes serialize() const;
  // `body` excludes the 5-byte header.
  static std::optional<BackendKeyData> parse(wire::ByteView body);
};

enum class Severity : std::uint8_t { error, fatal };

// The constructor requires a SQLSTATE: there is no way to build an error
// response without one.
struct ErrorResponse {
  ErrorResponse(Severity severity, std::string sqlstate, std::string message, std::string detail = {},
                std::string hint = {});
  static ErrorResponse fatal(const ProtocolError& error);

  Severity severity;
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;

  wire::Bytes serialize() const;
  // `body` excludes the 5-byte header; nullopt when malformed or without SQLSTATE.
  static std::optional<ErrorResponse> parse(wire::ByteView body);
};

}  // namespace gdpr::proxy::protocol
