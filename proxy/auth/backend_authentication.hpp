#pragma once
// The server side of a login the proxy makes itself (BackendLogin with
// relay_server_authentication = false): the proxy reads the server's
// authentication phase up to AuthenticationOk and swallows it (the client has
// already had its AuthenticationOk from the proxy). Everything after it —
// ParameterStatus, BackendKeyData, ReadyForQuery — is left for the relay.
//
// Supported: trust (AuthenticationOk straight away) and SCRAM-SHA-256 with a
// password from [server] passfile (the server's signature is verified too).
// Other methods, or SCRAM without a password, are refused with a FATAL that
// says what to configure; a server ErrorResponse (no pg_hba entry, role lacks
// CONNECT, wrong password) is relayed to the client unchanged.

#include <optional>
#include <string>

#include "auth/auth_wire.hpp"
#include "protocol/protocol_error.hpp"
#include "protocol/wire.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport;

struct BackendAuthResult {
  enum class Status : std::uint8_t {
    ok,
    server_error,
    refused,
    server_closed
  } status = Status::server_closed;
  // server_error: the server's ErrorResponse (and any notices before it), to relay as is.
  wire::Bytes server_message;
  // refused: what the proxy tells the client.
  protocol::ProtocolError error;
  // ok: bytes read after AuthenticationOk, for the relay.
  wire::Bytes pending;
};

// `password`: for the server's SCRAM-SHA-256, when it asks (nullopt: trust only).
asio::awaitable<BackendAuthResult> complete_backend_authentication(Transport& server, const std::string& role,
                                                                   const std::optional<std::string>& password,
                                                                   std::uint32_t max_message_bytes);

}  // namespace gdpr::proxy
