#pragma once
// End users of the extension's catalog log in with SCRAM-SHA-256 against the
// verifier gdpr_user_add() stored; the proxy then logs in to PostgreSQL as
// the backend role of the user's policy, with gdpr.actor set at connection
// start (options=-c gdpr.actor=<user>), so the database knows who acts and
// the client cannot change it.
//
// Names that are not catalog users are either passed through to PostgreSQL's
// own authentication ([auth] passthrough_unknown_users = true) or refused
// exactly like a wrong password. Every refusal (wrong password, unknown,
// disabled, expired) looks the same to the client — FATAL 28P01 after
// [auth] failure_delay_ms — and the log gets the real reason.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/passfile.hpp"
#include "auth/scram.hpp"
#include "auth/user_directory.hpp"
#include "config/config.hpp"

namespace gdpr::proxy {

struct AuthSettings {
  bool passthrough_unknown_users = false;
  std::chrono::milliseconds failure_delay{1000};
  std::uint32_t max_message_bytes = 8192;
  // Credentials for the backend roles, looked up by server host and port.
  std::shared_ptr<const Passfile> passfile;
  std::string server_host;
  std::uint16_t server_port = 0;
};

// Escapes a value for libpq's `options` (backslash before whitespace and
// backslashes), as pg_split_opts() reads it back.
std::string escape_startup_option(std::string_view value);

// The StartupMessage the proxy sends for `user`: the policy's backend role,
// the client's database, the harmless client parameters (application_name,
// client_encoding, DateStyle, TimeZone, IntervalStyle, extra_float_digits),
// and options=-c gdpr.actor=<user>. `dropped` receives the names of client
// parameters left out.
protocol::StartupMessage backend_startup_for(const DirectoryUser& user,
                                             const protocol::StartupMessage& client,
                                             std::vector<std::string>* dropped = nullptr);

class CatalogAuthenticator final : public Authenticator {
 public:
  // `watcher` (optional) keeps `directory` current; it is stopped before the
  // directory goes away.
  CatalogAuthenticator(std::shared_ptr<UserDirectory> directory, AuthSettings settings,
                       std::shared_ptr<CatalogWatcher> watcher = nullptr);
  std::string_view name() const override { return "scram"; }
  asio::awaitable<AuthOutcome> authenticate(Transport& client, const protocol::StartupMessage& startup,
                                            wire::Bytes& pending) override;

  // For a configuration reload: the same directory, watcher and mock-salt
  // secret (so unknown names keep their salts), with new settings.
  std::unique_ptr<CatalogAuthenticator> with_settings(AuthSettings settings) const;
  bool watches_catalog() const { return watcher_ != nullptr; }

 private:
  std::shared_ptr<UserDirectory> directory_;
  AuthSettings settings_;
  // Keys the mock salts of unknown names (random per process).
  scram::Bytes mock_secret_;
  // Shared with the authenticators that replace this one on reload.
  std::shared_ptr<CatalogWatcher> watcher_;
};

// The authenticator for `config`: without [catalog] and with
// passthrough_unknown_users, the plain PassthroughAuthenticator; otherwise a
// CatalogAuthenticator whose directory is loaded now (throws CatalogError with
// libpq's reason) and kept current by a watcher thread. [server] passfile is
// read here too (throws PassfileError). On reload, `previous` is the running
// authenticator: its user catalog (directory and watcher) is kept.
std::unique_ptr<Authenticator> make_authenticator(const Config& config,
                                                  const Authenticator* previous = nullptr);

}  // namespace gdpr::proxy
