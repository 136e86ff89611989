#pragma once
// The seam where end-user authentication plugs in.
//
// A session calls authenticate() once the client's StartupMessage has been
// accepted. The authenticator may talk to the client (a SCRAM exchange) and
// decides how the proxy logs in to the server on the user's behalf.
//
// Today there is one implementation, PassthroughAuthenticator: the client
// authenticates to PostgreSQL itself, through the relay. SCRAM-SHA-256 against
// the extension's user catalog (gdpr.users) will be a second implementation
// that authenticates the end user here and returns the policy's backend login.

#include <optional>
#include <string>

#include "protocol/protocol_error.hpp"
#include "protocol/startup.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport;

struct BackendLogin {
  // The StartupMessage the proxy sends to the server.
  protocol::StartupMessage startup;
  // True: the server's authentication exchange is relayed to the client.
  // False: the proxy has authenticated the client and answers the server itself.
  bool relay_server_authentication = true;
  // Who is acting, for logs and (later) gdpr.actor.
  std::string actor;
};

struct AuthOutcome {
  std::optional<BackendLogin> login;
  // Set when login is empty: sent to the client as a FATAL ErrorResponse.
  protocol::ProtocolError error;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual std::string_view name() const = 0;
  virtual asio::awaitable<AuthOutcome> authenticate(Transport& client,
                                                    const protocol::StartupMessage& startup) = 0;
};

// The client logs in to PostgreSQL with its own credentials through the relay.
class PassthroughAuthenticator final : public Authenticator {
 public:
  std::string_view name() const override { return "passthrough"; }
  asio::awaitable<AuthOutcome> authenticate(Transport& client,
                                            const protocol::StartupMessage& startup) override;
};

}  // namespace gdpr::proxy
