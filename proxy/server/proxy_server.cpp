#include "server/proxy_server.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "metrics/registry.hpp"
#include "server/connect.hpp"
#include "server/session.hpp"

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;

std::string endpoint_text(const Endpoint& e) { return fmt::format("{}:{}", e.host, e.port); }

// A session, counted in the connection metrics from start to end.
asio::awaitable<void> serve_client(ProxyContext& context, tcp::socket socket) {
  context.metrics.connections_open.add();
  struct Open {
    metrics::Gauge& gauge;
    ~Open() { gauge.sub(); }
  } open{context.metrics.connections_open};
  co_await run_session(context, std::move(socket));
}

}  // namespace

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

ProxyServer::ProxyServer(Config config, std::filesystem::path config_path)
    : config_path_(std::move(config_path)) {
  auto settings = prepare_runtime_settings(std::move(config));
  const auto& cfg = settings->config;
  check_server_reachable(cfg, settings->server_endpoints);

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
  if (cfg.admin) {
    admin_ = std::make_unique<admin::AdminServer>(*workers_[0], *cfg.admin, [this] {
      return metrics::render_prometheus(context_.metrics, GDPR_PROXY_VERSION);
    });
  }

  signals_ = std::make_unique<asio::signal_set>(*workers_[0], SIGINT, SIGTERM);
  // Registered now, so a SIGHUP from here on reloads instead of killing the process.
  reload_signals_ = std::make_unique<asio::signal_set>(*workers_[0], SIGHUP);

  // Last: the user catalog is loaded once everything else is known to work,
  // so a configuration error is reported alone.
  attach_authenticator(*settings, nullptr);
  context_.settings.replace(std::move(settings));
}

ProxyServer::~ProxyServer() {
  // Destroy pending sessions (their sockets and cancel registrations) while
  // the context they refer to is still alive.
  signals_.reset();
  reload_signals_.reset();
  acceptor_.reset();
  admin_.reset();
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
    context_.metrics.connections_total.add();
    asio::co_spawn(worker, serve_client(context_, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> ProxyServer::wait_for_signal() {
  auto [ec, signal] = co_await signals_->async_wait(use_tuple);
  if (ec) co_return;
  spdlog::info("received {}: no longer accepting connections, draining {} sessions (up to {} s)",
               signal == SIGINT ? "SIGINT" : "SIGTERM", context_.running_sessions.load(),
               context_.settings.current()->config.drain_timeout.count());
  error_code ignored;
  acceptor_->close(ignored);
  co_await drain();
}

asio::awaitable<void> ProxyServer::drain() {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + context_.settings.current()->config.drain_timeout;
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
  reload_signals_->cancel();
  for (auto& worker : workers_) worker->stop();
}

asio::awaitable<void> ProxyServer::reload_on_sighup() {
  for (;;) {
    auto [ec, signal] = co_await reload_signals_->async_wait(use_tuple);
    if (ec) co_return;
    spdlog::info("received SIGHUP: reloading the configuration");
    // On this worker's thread: reading a few small files must not stall
    // sessions noticeably, and the user catalog connection is not reopened.
    reload();
  }
}

bool ProxyServer::reload() {
  if (config_path_.empty()) {
    spdlog::warn("reload: no configuration file to re-read");
    return false;
  }
  const auto running = context_.settings.current();
  try {
    auto next = load_config(config_path_);
    for (const auto& change : restart_only_changes(running->config, next)) {
      spdlog::warn(
          "reload: {} changed; this setting takes effect only after a restart, the running value stays",
          change);
    }
    auto settings = prepare_runtime_settings(std::move(next));
    attach_authenticator(*settings, running.get());
    spdlog::default_logger()->set_level(spdlog::level::from_str(settings->config.log_level));
    context_.settings.replace(std::move(settings));
  } catch (const std::exception& e) {
    // ConfigError and StartupError both name the file and key at fault.
    context_.metrics.reloads_failed.add();
    spdlog::error("reload: {}; keeping the running configuration", e.what());
    return false;
  }
  context_.metrics.reloads_succeeded.add();
  spdlog::info("reload: applied {}; new sessions use it, the {} open sessions keep theirs",
               config_path_.string(), context_.running_sessions.load());
  return true;
}

int ProxyServer::run() {
  const auto settings = context_.settings.current();
  const auto& cfg = settings->config;
  spdlog::info("gdpr-proxy {} listening on {}:{} ({} threads), server {}:{} (sslmode {}), TLS {}, metrics {}",
               GDPR_PROXY_VERSION, listen_endpoint().address().to_string(), listen_endpoint().port(),
               workers_.size(), cfg.server.host, cfg.server.port, ssl_mode_name(cfg.server_sslmode),
               settings->tls_context ? (cfg.tls->require_tls ? "required" : "optional") : "off",
               admin_ ? fmt::format("http://{}:{}/metrics", admin_->local_endpoint().address().to_string(),
                                    admin_->local_endpoint().port())
                      : std::string("off"));
  if (admin_) admin_->start();
  asio::co_spawn(*workers_[0], accept_loop(), asio::detached);
  asio::co_spawn(*workers_[0], wait_for_signal(), asio::detached);
  asio::co_spawn(*workers_[0], reload_on_sighup(), asio::detached);

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
