#pragma once
// The seam where end-user authentication plugs in.
//
// A session calls authenticate() once the client's StartupMessage has been
// accepted. The authenticator may talk to the client (a SCRAM exchange) and
// decides how the proxy logs in to the server on the user's behalf.
//
// PassthroughAuthenticator: the client authenticates to PostgreSQL itself,
// through the relay. CatalogAuthenticator (catalog_authenticator.hpp): end
// users of the extension's catalog (gdpr.users) authenticate here with
// SCRAM-SHA-256 and the proxy logs in as their policy's backend role.

#include <memory>
#include <optional>
#include <string>

#include "protocol/protocol_error.hpp"
#include "protocol/startup.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

class Transport;
class UserDirectory;

struct BackendLogin {
  // The StartupMessage the proxy sends to the server.
  protocol::StartupMessage startup;
  // True: the server's authentication exchange is relayed to the client.
  // False: the proxy has authenticated the client and answers the server itself.
  bool relay_server_authentication = true;
  // Who is acting, for logs; for catalog users also sent as gdpr.actor.
  std::string actor;
  // relay_server_authentication = false: the password for the server's
  // SCRAM-SHA-256, if the server asks ([server] passfile).
  std::optional<std::string> server_password;
  // Catalog users: their masking policy, and the directory that holds its
  // current catalog (statements are rewritten under it). Empty for passthrough.
  std::string policy;
  std::shared_ptr<UserDirectory> directory;
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
  // `pending` holds bytes the client sent after its StartupMessage; the
  // authenticator consumes what it reads and leaves the rest for the relay.
  virtual asio::awaitable<AuthOutcome> authenticate(Transport& client,
                                                    const protocol::StartupMessage& startup,
                                                    wire::Bytes& pending) = 0;
};

// The client logs in to PostgreSQL with its own credentials through the relay.
class PassthroughAuthenticator final : public Authenticator {
 public:
  std::string_view name() const override { return "passthrough"; }
  asio::awaitable<AuthOutcome> authenticate(Transport& client, const protocol::StartupMessage& startup,
                                            wire::Bytes& pending) override;
};

}  // namespace gdpr::proxy
