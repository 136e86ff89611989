#include "server/session.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <variant>

#include "auth/backend_authentication.hpp"
#include "metrics/session_metrics.hpp"
#include "protocol/decoder.hpp"
#include "protocol/messages.hpp"
#include "server/backend_key_interceptor.hpp"
#include "server/connect.hpp"
#include "server/relay.hpp"
#include "server/server_message_filter.hpp"
#include "server/statement_interceptor.hpp"
#include "server/server_tls.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;
using protocol::ProtocolError;
namespace sqlstate = protocol::sqlstate;

// Like PostgreSQL's authentication_timeout: a client that connects and never
// finishes its start-up packets must not hold a slot forever.
constexpr auto kStartupTimeout = 60s;

std::string describe(const tcp::socket& socket) {
  error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown peer";
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

// Records the single start-up packet a decode step produced.
class StartupSink final : public protocol::DecoderSink {
 public:
  void on_startup(const protocol::StartupRequest& r, wire::ByteView) override { request = r; }
  void on_message(const protocol::MessageHeader&, wire::ByteView) override {}
  void on_message_start(const protocol::MessageHeader&, wire::ByteView) override {}
  void on_body(wire::ByteView) override {}
  void on_message_end() override {}
  void on_error(const ProtocolError& e) override { error = e; }

  std::optional<protocol::StartupRequest> request;
  std::optional<ProtocolError> error;
};

// Closes `transport` if the session is still stuck in a phase when the timer fires.
class Deadline {
 public:
  Deadline(asio::any_io_executor executor, std::chrono::steady_clock::duration after, Transport& transport)
      : timer_(executor, after) {
    timer_.async_wait([&transport](error_code ec) {
      if (!ec) transport.close();
    });
  }
  ~Deadline() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

class Session {
 public:
  Session(ProxyContext& context, tcp::socket socket)
      : context_(context),
        settings_(context.settings.current()),
        id_(context.next_session_id.fetch_add(1)),
        peer_(describe(socket)),
        client_(std::move(socket)),
        client_decoder_(protocol::Direction::frontend, settings_->config.max_message_bytes) {}

  asio::awaitable<void> run();

 private:
  struct Accepted {
    protocol::StartupMessage startup;
    wire::Bytes pending;  // bytes the client sent after its StartupMessage
  };

  asio::awaitable<std::optional<Accepted>> negotiate_startup();
  asio::awaitable<void> forward_cancel(const protocol::CancelRequest& request);
  asio::awaitable<void> refuse(const ProtocolError& error);
  asio::awaitable<void> proxy(Accepted accepted);
  std::optional<ProtocolError> admission_error(const protocol::StartupMessage& startup) const;
  asio::awaitable<bool> send_to_client(const wire::Bytes& bytes);

  ProxyContext& context_;
  // The settings in force when the session started (SIGHUP does not change them).
  const std::shared_ptr<const RuntimeSettings> settings_;
  std::uint64_t id_;
  std::string peer_;
  Transport client_;
  protocol::Decoder client_decoder_;
  std::string close_reason_ = "closed";
  // "user=... database=..." once the StartupMessage is known, for the close line.
  std::string identity_;
};

asio::awaitable<bool> Session::send_to_client(const wire::Bytes& bytes) {
  auto [ec, n] = co_await client_.write(asio::buffer(bytes));
  co_return !ec;
}

asio::awaitable<void> Session::refuse(const ProtocolError& error) {
  spdlog::info("session {}: refused {}: {} (SQLSTATE {})", id_, peer_, error.message, error.sqlstate);
  const auto message = protocol::ErrorResponse::fatal(error).serialize();
  co_await send_to_client(message);
  close_reason_ = "refused";
}

asio::awaitable<std::optional<Session::Accepted>> Session::negotiate_startup() {
  auto executor = co_await asio::this_coro::executor;
  Deadline deadline(executor, kStartupTimeout, client_);
  wire::Bytes buffer;
  std::size_t filled = 0;
  for (;;) {
    StartupSink sink;
    const auto step = client_decoder_.decode(wire::ByteView(buffer.data(), filled), sink);
    if (step.result == protocol::DecodeResult::NeedMoreData) {
      buffer.resize(std::max<std::size_t>(buffer.size(), filled + 4096));
      auto [ec, n] = co_await client_.read_some(asio::buffer(buffer.data() + filled, buffer.size() - filled));
      if (ec) {
        close_reason_ = Transport::is_disconnect(ec) ? "client left during start-up"
                                                     : "start-up timed out or failed: " + ec.message();
        co_return std::nullopt;
      }
      filled += n;
      continue;
    }
    if (sink.error) {
      co_await refuse(*sink.error);
      co_return std::nullopt;
    }
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(step.consumed));
    filled -= step.consumed;
    auto& request = *sink.request;

    const bool encryption_request = std::holds_alternative<protocol::SslRequest>(request) ||
                                    std::holds_alternative<protocol::GssEncRequest>(request);
    if (encryption_request && client_.tls()) {
      // Like PostgreSQL: negotiating encryption inside TLS is a protocol violation.
      const ProtocolError again{
          sqlstate::kProtocolViolation, "encryption request received after TLS was established", {}};
      co_await refuse(again);
      co_return std::nullopt;
    }
    if (std::holds_alternative<protocol::SslRequest>(request)) {
      // Bytes that arrived before our answer would be taken as TLS-protected.
      if (filled > 0) {
        StartupSink violation;
        client_decoder_.decode(wire::ByteView(buffer.data(), filled), violation);
        co_await refuse(*violation.error);
        co_return std::nullopt;
      }
      const bool accept = settings_->tls_context != nullptr;
      const auto answer = protocol::EncryptionResponse{accept}.serialize();
      if (!co_await send_to_client(answer)) co_return std::nullopt;
      if (accept) {
        if (auto ec = co_await client_.accept_tls(*settings_->tls_context)) {
          spdlog::info("session {}: TLS handshake with {} failed: {}", id_, peer_, ec.message());
          close_reason_ = "TLS handshake failed";
          co_return std::nullopt;
        }
      }
      client_decoder_.resume_startup();
    } else if (std::holds_alternative<protocol::GssEncRequest>(request)) {
      if (filled > 0) {
        StartupSink violation;
        client_decoder_.decode(wire::ByteView(buffer.data(), filled), violation);
        co_await refuse(*violation.error);
        co_return std::nullopt;
      }
      // GSSAPI encryption is not offered; libpq then falls back to SSL or plain.
      const auto answer = protocol::EncryptionResponse{false}.serialize();
      if (!co_await send_to_client(answer)) co_return std::nullopt;
      client_decoder_.resume_startup();
    } else if (auto* cancel = std::get_if<protocol::CancelRequest>(&request)) {
      co_await forward_cancel(*cancel);
      co_return std::nullopt;
    } else {
      buffer.resize(filled);
      co_return Accepted{std::get<protocol::StartupMessage>(std::move(request)), std::move(buffer)};
    }
  }
}

asio::awaitable<void> Session::forward_cancel(const protocol::CancelRequest& request) {
  close_reason_ = "cancel request handled";
  const auto target = context_.cancel_registry.find({request.process_id, request.secret_key});
  if (!target) {
    // Like PostgreSQL: no answer either way, so keys cannot be probed.
    spdlog::info("session {}: cancel request from {} with an unknown key ignored", id_, peer_);
    co_return;
  }
  // A named vector: GCC 12 cannot keep an initializer_list's array in a coroutine frame.
  const std::vector<tcp::endpoint> server{target->server};
  auto [ec, socket] = co_await connect_with_timeout(server, settings_->config.server_connect_timeout);
  if (ec) {
    spdlog::warn("session {}: cannot forward cancel request to the server: {}", id_, ec.message());
    co_return;
  }
  const auto packet =
      protocol::CancelRequest{target->server_key.process_id, target->server_key.secret_key}.serialize();
  auto [write_ec, n] = co_await asio::async_write(socket, asio::buffer(packet), use_tuple);
  if (write_ec) {
    spdlog::warn("session {}: cannot forward cancel request to the server: {}", id_, write_ec.message());
    co_return;
  }
  // The server closes the connection once it has read the request; waiting for
  // that keeps the cancel ordered before the client's next action.
  std::uint8_t byte;
  co_await socket.async_read_some(asio::buffer(&byte, 1), use_tuple);
  spdlog::info("session {}: cancel request from {} forwarded to server process {}", id_, peer_,
               target->server_key.process_id);
}

std::optional<ProtocolError> Session::admission_error(const protocol::StartupMessage& startup) const {
  const auto& config = settings_->config;
  if (config.tls && config.tls->require_tls && !client_.tls()) {
    return ProtocolError{sqlstate::kInvalidAuthorization, "TLS is required by this proxy",
                         "Connect with sslmode=require (or stronger)."};
  }
  const auto& replication = startup.parameter("replication");
  if (!replication.empty() && replication != "false" && replication != "off" && replication != "0") {
    return ProtocolError{sqlstate::kFeatureNotSupported,
                         "replication connections are not supported by gdpr-proxy",
                         "Connect to PostgreSQL directly for replication."};
  }
  if (config.server_dbname && startup.database() != *config.server_dbname) {
    return ProtocolError{sqlstate::kInvalidCatalogName,
                         fmt::format("database \"{}\" is not served by this proxy", startup.database()),
                         fmt::format("This proxy serves database \"{}\".", *config.server_dbname)};
  }
  return std::nullopt;
}

asio::awaitable<void> Session::proxy(Accepted accepted) {
  const auto& config = settings_->config;
  const auto& startup = accepted.startup;

  // Errors are named locals before co_await throughout: GCC 12 mis-destroys
  // temporaries that live across a suspension point.
  if (const auto refusal = admission_error(startup)) {
    co_await refuse(*refusal);
    co_return;
  }
  if (context_.admitted_clients.fetch_add(1) >= config.max_clients) {
    context_.admitted_clients.fetch_sub(1);
    const ProtocolError full{
        sqlstate::kTooManyConnections, "sorry, too many clients already",
        fmt::format("The proxy admits {} clients ([limits] max_clients).", config.max_clients)};
    co_await refuse(full);
    co_return;
  }
  struct Release {
    std::atomic<std::uint32_t>& counter;
    ~Release() { counter.fetch_sub(1); }
  } release{context_.admitted_clients};

  identity_ = fmt::format(" user={} database={}", startup.user(), startup.database());
  spdlog::info("session {}: {} user={} database={} application={} tls={}", id_, peer_, startup.user(),
               startup.database(), startup.parameter("application_name"), client_.tls() ? "on" : "off");

  std::optional<AuthOutcome> authenticated;
  {
    // The SCRAM exchange counts against the same limit as the start-up packets.
    auto executor = co_await asio::this_coro::executor;
    Deadline deadline(executor, kStartupTimeout, client_);
    authenticated = co_await settings_->authenticator->authenticate(client_, startup, accepted.pending);
  }
  auto& outcome = *authenticated;
  if (!outcome.login) {
    if (outcome.error.sqlstate == sqlstate_auth::kInvalidPassword) context_.metrics.auth_failures_proxy.add();
    co_await refuse(outcome.error);
    co_return;
  }
  if (outcome.login->actor != startup.user() || !outcome.login->relay_server_authentication) {
    identity_ += fmt::format(" actor={} role={}", outcome.login->actor, outcome.login->startup.user());
  }

  auto [connect_ec, server_socket] =
      co_await connect_with_timeout(settings_->server_endpoints, config.server_connect_timeout);
  if (connect_ec) {
    spdlog::error("session {}: cannot connect to the server {}:{}: {}", id_, config.server.host,
                  config.server.port, connect_ec.message());
    const ProtocolError unreachable{sqlstate::kConnectionFailure,
                                    "the proxy cannot connect to the database server",
                                    "Check that PostgreSQL is running; the proxy log has the details."};
    co_await refuse(unreachable);
    co_return;
  }
  error_code ignored;
  const auto server_endpoint = server_socket.remote_endpoint(ignored);
  Transport server(std::move(server_socket));
  if (settings_->server_tls_context) {
    auto tls_error = co_await start_server_tls(server, *settings_->server_tls_context, config.server_sslmode,
                                               config.server.host, config.server_connect_timeout);
    if (tls_error) {
      co_await refuse(*tls_error);
      co_return;
    }
  }
  const auto backend_startup = outcome.login->startup.serialize();
  if (auto [ec, n] = co_await server.write(asio::buffer(backend_startup)); ec) {
    const ProtocolError closed{
        sqlstate::kConnectionFailure, "the database server closed the connection during start-up", {}};
    co_await refuse(closed);
    co_return;
  }

  // The proxy authenticated the client itself: it answers the server's
  // authentication, swallows its AuthenticationOk and relays what follows.
  wire::Bytes server_pending;
  if (!outcome.login->relay_server_authentication) {
    std::optional<BackendAuthResult> backend_result;
    {
      // A server that stalls its authentication must not hold the session forever.
      auto executor = co_await asio::this_coro::executor;
      Deadline deadline(executor, kStartupTimeout, server);
      backend_result = co_await complete_backend_authentication(
          server, outcome.login->startup.user(), outcome.login->server_password, config.max_message_bytes);
    }
    auto& backend_auth = *backend_result;
    using Status = BackendAuthResult::Status;
    if (backend_auth.status == Status::server_error) {
      // The server's own FATAL (no pg_hba entry, no CONNECT privilege, ...).
      co_await send_to_client(backend_auth.server_message);
      close_reason_ = "the server refused the backend login";
      co_return;
    }
    if (backend_auth.status == Status::refused) {
      co_await refuse(backend_auth.error);
      co_return;
    }
    if (backend_auth.status == Status::server_closed) {
      const ProtocolError closed{
          sqlstate::kConnectionFailure, "the database server closed the connection during start-up", {}};
      co_await refuse(closed);
      co_return;
    }
    server_pending = std::move(backend_auth.pending);
  }

  protocol::Decoder server_decoder(protocol::Direction::backend, config.max_message_bytes);
  BackendKeyInterceptor key_interceptor(context_.cancel_registry, server_endpoint);

  // Proxy users: every statement through the rewriter, errors scrubbed when
  // masked. Passthrough users: only FunctionCall is refused.
  const auto& login = *outcome.login;
  const bool proxy_user = !login.policy.empty() && login.directory != nullptr;
  bool masked = false;
  if (proxy_user) {
    const auto policy = login.directory->snapshot()->policy(login.policy);
    masked = !policy || policy->masked;
  }
  StatementSessionState statement_state;
  std::optional<StatementInterceptor> statements;
  std::optional<FunctionCallRefuser> function_calls;
  MessageInterceptor* client_interceptor = nullptr;
  if (proxy_user) {
    client_interceptor =
        &statements.emplace(id_, login.actor, login.policy, login.directory, context_.rewrite_cache,
                            statement_state, StatementLimits{config.max_statement_bytes}, &context_.metrics);
  } else {
    client_interceptor = &function_calls.emplace(id_);
  }
  ServerMessageFilter server_filter(key_interceptor, proxy_user ? &statement_state : nullptr,
                                    ServerFilterOptions{proxy_user, masked});
  Relay upstream(client_, server, client_decoder_, client_interceptor);
  Relay downstream(server, client_, server_decoder, &server_filter);
  metrics::SessionMetrics session_metrics(context_.metrics);
  upstream.set_observer(&session_metrics.client_to_server());
  downstream.set_observer(&session_metrics.server_to_client());

  // The server went away without a FATAL error and outside a message, while the
  // client had not said goodbye: tell the client, as PostgreSQL would.
  auto server_vanished = [&](protocol::Direction direction, const RelayResult& r) {
    return direction == protocol::Direction::backend && r.end == RelayEnd::source_closed &&
           r.last_message_type != 'E' && !r.ended_mid_message && upstream.progress().last_message_type != 'X';
  };

  // The first direction to end shuts the connection down; the other then ends
  // on its own (its socket is closed or its pending operation cancelled).
  std::optional<protocol::Direction> first_end;
  std::optional<RelayResult> first_result;
  auto end_of = [&](protocol::Direction direction, const RelayResult& r) {
    if (first_end) return;
    first_end = direction;
    first_result = r;
    server.close();
    // Keep the client open only to tell it why, when there is something to tell.
    const bool client_gets_error = r.end == RelayEnd::protocol_error || server_vanished(direction, r);
    error_code ec;
    if (client_gets_error) {
      client_.socket().cancel(ec);
    } else {
      client_.close();
    }
  };
  auto pump_up = [&]() -> asio::awaitable<RelayResult> {
    auto r = co_await upstream.run(std::move(accepted.pending));
    end_of(protocol::Direction::frontend, r);
    co_return r;
  };
  auto pump_down = [&]() -> asio::awaitable<RelayResult> {
    auto r = co_await downstream.run(std::move(server_pending));
    end_of(protocol::Direction::backend, r);
    co_return r;
  };
  using namespace asio::experimental::awaitable_operators;
  auto [up, down] = co_await (pump_up() && pump_down());

  const auto& first = *first_result;
  if (first.end == RelayEnd::protocol_error && first.error) {
    if (*first_end == protocol::Direction::frontend) {
      co_await refuse(*first.error);
    } else {
      spdlog::error("session {}: the server broke the protocol: {}", id_, first.error->message);
      const ProtocolError invalid{sqlstate::kProtocolViolation, "the database server sent an invalid message",
                                  "The proxy closed the connection; its log has the details."};
      co_await refuse(invalid);
    }
  } else if (server_vanished(*first_end, first) && client_.is_open()) {
    const auto vanished = protocol::ErrorResponse(protocol::Severity::fatal, sqlstate::kConnectionFailure,
                                                  "the database server closed the connection unexpectedly")
                              .serialize();
    co_await send_to_client(vanished);
    close_reason_ = "server closed the connection";
  } else if (*first_end == protocol::Direction::frontend) {
    close_reason_ = first.last_message_type == 'X' ? "client terminated" : "client disconnected";
  } else {
    close_reason_ = upstream.progress().last_message_type == 'X' ? "client terminated"
                    : first.last_message_type == 'E'             ? "server ended the session with an error"
                                                                 : "server disconnected";
  }
  spdlog::info("session {}: {} -> server {} bytes in {} messages, server -> {} {} bytes in {} messages", id_,
               peer_, up.bytes, up.messages, peer_, down.bytes, down.messages);
}

asio::awaitable<void> Session::run() {
  const auto started = std::chrono::steady_clock::now();
  spdlog::debug("session {}: connection from {}", id_, peer_);
  try {
    if (auto accepted = co_await negotiate_startup()) co_await proxy(std::move(*accepted));
  } catch (const std::exception& e) {
    // Nothing may escape a detached coroutine: it would take the worker thread down.
    spdlog::error("session {}: internal error: {}", id_, e.what());
    close_reason_ = "internal error";
  }
  client_.close();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("session {}: {}{} closed ({}) after {} ms", id_, peer_, identity_, close_reason_, ms.count());
}

}  // namespace

asio::awaitable<void> run_session(ProxyContext& context, tcp::socket client) {
  struct Running {
    std::atomic<std::uint32_t>& counter;
    ~Running() { counter.fetch_sub(1); }
  } running{context.running_sessions};
  try {
    Session session(context, std::move(client));
    co_await session.run();
  } catch (const std::exception& e) {
    spdlog::error("session setup failed: {}", e.what());
  }
}

}  // namespace gdpr::proxy
