#include "auth/catalog_authenticator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "auth/auth_wire.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

using protocol::ProtocolError;

// Client parameters passed on to the backend login. Everything else is
// dropped: a client must not choose settings the proxy did not vet.
constexpr std::array<std::string_view, 6> kForwardedParameters{
    "application_name", "client_encoding", "datestyle", "timezone", "intervalstyle", "extra_float_digits"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string as_string(const wire::Bytes& body) { return std::string(body.begin(), body.end()); }

ProtocolError violation(std::string message) {
  return ProtocolError{protocol::sqlstate::kProtocolViolation, std::move(message), {}};
}

AuthOutcome refused(ProtocolError error) {
  AuthOutcome outcome;
  outcome.error = std::move(error);
  return outcome;
}

}  // namespace

std::string escape_startup_option(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || std::isspace(static_cast<unsigned char>(c))) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

protocol::StartupMessage backend_startup_for(const DirectoryUser& user,
                                             const protocol::StartupMessage& client,
                                             std::vector<std::string>* dropped) {
  protocol::StartupMessage backend;
  backend.parameters.emplace_back("user", user.backend_role);
  backend.parameters.emplace_back("database", client.database());
  for (const auto& [key, value] : client.parameters) {
    if (key == "user" || key == "database") continue;
    const auto name = lower(key);
    if (std::find(kForwardedParameters.begin(), kForwardedParameters.end(), name) !=
        kForwardedParameters.end()) {
      backend.parameters.emplace_back(key, value);
    } else if (dropped) {
      dropped->push_back(key);
    }
  }
  // search_path: unqualified table names resolve to the policy's masked views
  // (same names as the tables); a reference that still reaches a tagged base
  // table is refused by the role's column privileges (fail closed).
  backend.parameters.emplace_back(
      "options", fmt::format("-c gdpr.actor={} -c search_path={},public", escape_startup_option(user.name),
                             escape_startup_option(user.view_schema)));
  return backend;
}

CatalogAuthenticator::CatalogAuthenticator(std::shared_ptr<UserDirectory> directory, AuthSettings settings,
                                           std::shared_ptr<CatalogWatcher> watcher)
    : directory_(std::move(directory)),
      settings_(settings),
      mock_secret_(scram::random_bytes(32)),
      watcher_(std::move(watcher)) {}

std::unique_ptr<CatalogAuthenticator> CatalogAuthenticator::with_settings(AuthSettings settings) const {
  auto next = std::make_unique<CatalogAuthenticator>(directory_, std::move(settings), watcher_);
  next->mock_secret_ = mock_secret_;
  return next;
}

std::unique_ptr<Authenticator> make_authenticator(const Config& config, const Authenticator* previous) {
  AuthSettings settings;
  settings.passthrough_unknown_users = config.passthrough_unknown_users;
  settings.failure_delay = config.auth_failure_delay;
  settings.server_host = config.server.host;
  settings.server_port = config.server.port;
  if (config.server_passfile) {
    settings.passfile = std::make_shared<const Passfile>(Passfile::load(*config.server_passfile));
    spdlog::info("auth: [server] passfile {}: {} entries", *config.server_passfile,
                 settings.passfile->size());
  }
  // A reload keeps the catalog connection ([catalog] conninfo needs a restart).
  const auto* running = dynamic_cast<const CatalogAuthenticator*>(previous);
  if (running && running->watches_catalog() && config.catalog_conninfo)
    return running->with_settings(settings);
  auto directory = std::make_shared<UserDirectory>();
  if (!config.catalog_conninfo) {
    if (config.passthrough_unknown_users) {
      spdlog::info("auth: no [catalog]: every client authenticates to PostgreSQL itself (passthrough)");
      return std::make_unique<PassthroughAuthenticator>();
    }
    spdlog::warn(
        "auth: no [catalog] and [auth] passthrough_unknown_users = false: there are no proxy users, so every "
        "login is refused");
    return std::make_unique<CatalogAuthenticator>(directory, settings);
  }
  auto watcher = std::make_unique<CatalogWatcher>(*config.catalog_conninfo, *directory);
  watcher->load_initial();
  watcher->start();
  return std::make_unique<CatalogAuthenticator>(directory, settings, std::move(watcher));
}

asio::awaitable<AuthOutcome> CatalogAuthenticator::authenticate(Transport& client,
                                                                const protocol::StartupMessage& startup,
                                                                wire::Bytes& pending) {
  const auto& name = startup.user();
  const auto directory = directory_->snapshot();
  const DirectoryUser* user = directory->find(name);

  if (!user && settings_.passthrough_unknown_users) {
    spdlog::info("auth: \"{}\" is not a proxy user; passing through to PostgreSQL's authentication", name);
    AuthOutcome outcome;
    outcome.login = BackendLogin{startup, true, name, std::nullopt, {}, nullptr};
    co_return outcome;
  }

  // Why this login will fail whatever the proof; the exchange still runs to
  // the end, so the client cannot tell these apart from a wrong password.
  std::string refusal;
  const auto now = std::chrono::system_clock::now();
  if (!user) {
    refusal = "not a proxy user ([auth] passthrough_unknown_users is off)";
  } else if (user->disabled) {
    refusal = "the user is disabled";
  } else if (user->valid_until && *user->valid_until < now) {
    refusal = "the user's validity ended (gdpr.users.valid_until)";
  } else if (!user->verifier) {
    refusal = "the stored SCRAM verifier is unusable";
  }
  scram::Verifier verifier =
      user && user->verifier ? *user->verifier : scram::Verifier::mock(name, mock_secret_);
  scram::ServerExchange exchange(std::move(verifier));

  const auto offer = AuthenticationSasl{std::string(scram::kMechanism)}.serialize();
  if (auto [ec, n] = co_await client.write(asio::buffer(offer)); ec) {
    co_return refused(violation("client left during authentication"));
  }

  // Reads the next SASL message ('p'); a violation or a vanished client ends it.
  ProtocolError read_error;
  auto next_sasl_message = [&]() -> asio::awaitable<std::optional<wire::Bytes>> {
    auto read = co_await read_whole_message(client, pending, settings_.max_message_bytes);
    if (read.violation) {
      read_error = *read.violation;
      co_return std::nullopt;
    }
    if (!read.message) {
      read_error = violation("client left during authentication");
      co_return std::nullopt;
    }
    if (read.message->type != 'p') {
      read_error = violation(fmt::format("expected SASL response, got message type '{}'",
                                         static_cast<char>(read.message->type)));
      co_return std::nullopt;
    }
    co_return std::move(read.message->body);
  };

  auto malformed = [&](const std::string& reason) {
    spdlog::warn("auth: malformed SCRAM exchange from \"{}\": {}", name, reason);
    return refused(violation("malformed SCRAM message"));
  };

  auto first = co_await next_sasl_message();
  if (!first) co_return refused(read_error);
  const auto initial = SaslInitialResponse::parse(*first);
  if (!initial) co_return malformed("invalid SASLInitialResponse");
  if (initial->mechanism != scram::kMechanism) {
    spdlog::warn("auth: \"{}\" chose SASL mechanism \"{}\", which was not offered", name, initial->mechanism);
    co_return refused(violation("client selected an invalid SASL authentication mechanism"));
  }
  const auto server_first = exchange.client_first(initial->data);
  if (server_first.status != scram::ServerExchange::Status::ok) co_return malformed(server_first.text);
  const auto challenge = AuthenticationSaslContinue{server_first.text}.serialize();
  if (auto [ec, n] = co_await client.write(asio::buffer(challenge)); ec) {
    co_return refused(violation("client left during authentication"));
  }

  auto final_message = co_await next_sasl_message();
  if (!final_message) co_return refused(read_error);
  const auto server_final = exchange.client_final(as_string(*final_message));
  if (server_final.status == scram::ServerExchange::Status::malformed) co_return malformed(server_final.text);
  if (server_final.status == scram::ServerExchange::Status::wrong_proof && refusal.empty()) {
    refusal = "wrong password";
  }

  if (!refusal.empty()) {
    spdlog::warn("auth: password authentication failed for user \"{}\": {}", name, refusal);
    // Slow down guessing without holding the thread: other sessions go on.
    asio::steady_timer delay(co_await asio::this_coro::executor, settings_.failure_delay);
    co_await delay.async_wait(use_tuple);
    co_return refused(ProtocolError{sqlstate_auth::kInvalidPassword,
                                    fmt::format("password authentication failed for user \"{}\"", name),
                                    {}});
  }

  // Settings are the proxy's to choose: gdpr.actor above all.
  if (!startup.parameter("options").empty()) {
    spdlog::warn("auth: \"{}\" sent start-up options; refused", name);
    co_return refused(ProtocolError{
        sqlstate_auth::kInsufficientPrivilege, "start-up options are not allowed for proxy users",
        "gdpr-proxy sets the server options itself; remove options / PGOPTIONS from the connection."});
  }

  wire::Bytes done = AuthenticationSaslFinal{server_final.text}.serialize();
  const auto ok = AuthenticationOk{}.serialize();
  done.insert(done.end(), ok.begin(), ok.end());
  if (auto [ec, n] = co_await client.write(asio::buffer(done)); ec) {
    co_return refused(violation("client left during authentication"));
  }

  std::vector<std::string> dropped;
  AuthOutcome outcome;
  outcome.login =
      BackendLogin{backend_startup_for(*user, startup, &dropped), false, user->name, std::nullopt, user->policy,
                   directory_};
  if (settings_.passfile) {
    outcome.login->server_password = settings_.passfile->find(settings_.server_host, settings_.server_port,
                                                              startup.database(), user->backend_role);
  }
  spdlog::info("auth: \"{}\" authenticated (SCRAM-SHA-256), policy {}, backend role {}", user->name,
               user->policy, user->backend_role);
  if (!dropped.empty()) {
    spdlog::debug("auth: start-up parameters of \"{}\" not forwarded: {}", user->name,
                  fmt::join(dropped, ", "));
  }
  co_return outcome;
}

}  // namespace gdpr::proxy
