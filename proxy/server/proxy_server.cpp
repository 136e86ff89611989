#include "server/proxy_server.hpp"

#include <openssl/err.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "auth/catalog_authenticator.hpp"
#include "server/connect.hpp"
#include "server/session.hpp"

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;

std::string openssl_reason(const boost::system::system_error& e) {
  // Asio's message for OpenSSL errors is the library's reason string.
  return e.code().message();
}

std::string endpoint_text(const Endpoint& e) { return fmt::format("{}:{}", e.host, e.port); }

}  // namespace

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsConfig& tls) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  // TLS 1.2+ only; no renegotiation, no compression.
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
  SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_RENEGOTIATION);
  try {
    context->use_certificate_chain_file(tls.cert_file);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("[tls] cert_file \"{}\": cannot load certificate: {}", tls.cert_file, openssl_reason(e)));
  }
  try {
    context->use_private_key_file(tls.key_file, asio::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("[tls] key_file \"{}\": cannot load private key: {}", tls.key_file, openssl_reason(e)));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    throw StartupError(
        fmt::format("[tls] key_file \"{}\" does not match cert_file \"{}\"", tls.key_file, tls.cert_file));
  }
  return context;
}

void check_server_reachable(const Config& config, const std::vector<tcp::endpoint>& endpoints) {
  asio::io_context io;
  error_code result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto [ec, socket] = co_await connect_with_timeout(endpoints, config.server_connect_timeout);
        result = ec;
      },
      asio::detached);
  io.run();
  if (result) {
    throw StartupError(fmt::format("cannot reach the PostgreSQL server at {} ([server] host, port): {}",
                                   endpoint_text(config.server), result.message()));
  }
}

ProxyServer::ProxyServer(Config config) {
  context_.config = std::move(config);
  const auto& cfg = context_.config;
  if (cfg.tls) context_.tls_context = make_tls_context(*cfg.tls);

  try {
    context_.server_endpoints = resolve_endpoints(cfg.server.host, cfg.server.port);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("cannot resolve [server] host \"{}\": {}", cfg.server.host, e.code().message()));
  }
  check_server_reachable(cfg, context_.server_endpoints);

  for (unsigned i = 0; i < cfg.threads; ++i) workers_.push_back(std::make_unique<asio::io_context>(1));

  std::vector<tcp::endpoint> listen_endpoints;
  try {
    listen_endpoints = resolve_endpoints(cfg.listen.host, cfg.listen.port);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("cannot resolve [listen] host \"{}\": {}", cfg.listen.host, e.code().message()));
  }
  if (listen_endpoints.empty())
    throw StartupError(fmt::format("[listen] host \"{}\" has no address", cfg.listen.host));
  acceptor_ = std::make_unique<tcp::acceptor>(*workers_[0]);
  error_code ec;
  const auto& endpoint = listen_endpoints.front();
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw StartupError(fmt::format("cannot listen on {} ([listen] host, port): {}", endpoint_text(cfg.listen),
                                   ec.message()));

  signals_ = std::make_unique<asio::signal_set>(*workers_[0], SIGINT, SIGTERM);

  // Last: the user catalog is loaded once everything else is known to work,
  // so a configuration error is reported alone.
  try {
    context_.authenticator = make_authenticator(cfg);
  } catch (const CatalogError& e) {
    throw StartupError(fmt::format("cannot load the user catalog ([catalog] conninfo): {}", e.what()));
  } catch (const PassfileError& e) {
    throw StartupError(fmt::format("[server] passfile: {}", e.what()));
  }
}

ProxyServer::~ProxyServer() {
  // Destroy pending sessions (their sockets and cancel registrations) while
  // the context they refer to is still alive.
  signals_.reset();
  acceptor_.reset();
  workers_.clear();
}

tcp::endpoint ProxyServer::listen_endpoint() const { return acceptor_->local_endpoint(); }

asio::io_context& ProxyServer::next_worker() {
  auto& worker = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  return worker;
}

asio::awaitable<void> ProxyServer::accept_loop() {
  for (;;) {
    auto& worker = next_worker();
    auto [ec, socket] = co_await acceptor_->async_accept(worker, use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor, 100ms);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    context_.running_sessions.fetch_add(1);
    asio::co_spawn(worker, run_session(context_, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> ProxyServer::wait_for_signal() {
  auto [ec, signal] = co_await signals_->async_wait(use_tuple);
  if (ec) co_return;
  spdlog::info("received {}: no longer accepting connections, draining {} sessions (up to {} s)",
               signal == SIGINT ? "SIGINT" : "SIGTERM", context_.running_sessions.load(),
               context_.config.drain_timeout.count());
  error_code ignored;
  acceptor_->close(ignored);
  co_await drain();
}

asio::awaitable<void> ProxyServer::drain() {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + context_.config.drain_timeout;
  // A second signal cuts the drain short.
  bool interrupted = false;
  signals_->async_wait([&interrupted](error_code ec, int) {
    if (!ec) interrupted = true;
  });
  while (context_.running_sessions.load() > 0 && std::chrono::steady_clock::now() < deadline &&
         !interrupted) {
    asio::steady_timer tick(executor, 50ms);
    co_await tick.async_wait(use_tuple);
  }
  const auto left = context_.running_sessions.load();
  if (left > 0) {
    spdlog::warn("drain ended with {} sessions still open; closing them", left);
  } else {
    spdlog::info("all sessions finished");
  }
  signals_->cancel();
  for (auto& worker : workers_) worker->stop();
}

int ProxyServer::run() {
  spdlog::info("gdpr-proxy {} listening on {}:{} ({} threads), server {}:{}, TLS {}", GDPR_PROXY_VERSION,
               listen_endpoint().address().to_string(), listen_endpoint().port(), workers_.size(),
               context_.config.server.host, context_.config.server.port,
               context_.tls_context ? (context_.config.tls->require_tls ? "required" : "optional") : "off");
  asio::co_spawn(*workers_[0], accept_loop(), asio::detached);
  asio::co_spawn(*workers_[0], wait_for_signal(), asio::detached);

  std::vector<std::jthread> threads;
  // Work guards keep idle workers running until drain() stops them.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& worker : workers_) guards.push_back(asio::make_work_guard(*worker));
  for (std::size_t i = 1; i < workers_.size(); ++i) threads.emplace_back([&, i] { workers_[i]->run(); });
  workers_[0]->run();
  for (auto& worker : workers_) worker->stop();
  threads.clear();  // joins
  spdlog::info("gdpr-proxy stopped");
  return 0;
}

}  // namespace gdpr::proxy
