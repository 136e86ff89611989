#pragma once
// One client connection, from the first byte to close, as one coroutine:
// start-up negotiation (TLS, GSSAPI refusal, cancel forwarding), admission
// checks, authentication via the Authenticator seam, the server connection and
// then the two-way relay.

#include "server/asio.hpp"
#include "server/proxy_context.hpp"

namespace gdpr::proxy {

// Runs the session to completion; never throws (failures are logged).
asio::awaitable<void> run_session(ProxyContext& context, tcp::socket client);

}  // namespace gdpr::proxy
