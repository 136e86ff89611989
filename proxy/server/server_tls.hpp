#pragma once
// TLS on the proxy's own connection to PostgreSQL ([server] sslmode): the
// proxy sends SSLRequest, reads the server's one-byte answer, and on 'S' runs
// the TLS handshake; with verify-full the certificate chain is checked against
// [server] sslrootcert and the name in [server] host (OpenSSL, through Asio's
// host_name_verification). PostgreSQL 15 has no direct-TLS start.

#include <chrono>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "protocol/protocol_error.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport;

// Upgrades `server` (a fresh plain connection) to TLS within `timeout` (a
// server that stalls is cut off). On failure returns the FATAL the client
// gets (SQLSTATE 08006, saying what to check); the details are also logged.
asio::awaitable<std::optional<protocol::ProtocolError>> start_server_tls(Transport& server,
                                                                         asio::ssl::context& context,
                                                                         ServerSslMode mode,
                                                                         const std::string& host,
                                                                         std::chrono::milliseconds timeout);

}  // namespace gdpr::proxy
