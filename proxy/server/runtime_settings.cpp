#include "server/runtime_settings.hpp"

#include <fmt/format.h>

#include "auth/catalog_authenticator.hpp"
#include "server/connect.hpp"
#include "server/startup_error.hpp"
#include "server/tls_contexts.hpp"

namespace gdpr::proxy {
namespace {

std::string endpoint_text(const std::optional<Endpoint>& e) {
  return e ? fmt::format("{}:{}", e->host, e->port) : std::string("(none)");
}

}  // namespace

std::shared_ptr<RuntimeSettings> prepare_runtime_settings(Config config) {
  auto settings = std::make_shared<RuntimeSettings>();
  if (config.tls) settings->tls_context = make_tls_context(*config.tls);
  settings->server_tls_context = make_server_tls_context(config);
  try {
    settings->server_endpoints = resolve_endpoints(config.server.host, config.server.port);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("cannot resolve [server] host \"{}\": {}", config.server.host, e.code().message()));
  }
  settings->config = std::move(config);
  return settings;
}

void attach_authenticator(RuntimeSettings& settings, const RuntimeSettings* previous) {
  try {
    settings.authenticator =
        make_authenticator(settings.config, previous ? previous->authenticator.get() : nullptr);
  } catch (const CatalogError& e) {
    throw StartupError(fmt::format("cannot load the user catalog ([catalog] conninfo): {}", e.what()));
  } catch (const PassfileError& e) {
    throw StartupError(fmt::format("[server] passfile: {}", e.what()));
  }
}

std::vector<std::string> restart_only_changes(const Config& running, Config& next) {
  std::vector<std::string> changes;
  if (next.listen.host != running.listen.host || next.listen.port != running.listen.port) {
    changes.push_back(fmt::format("[listen] host, port ({}:{} -> {}:{})", running.listen.host,
                                  running.listen.port, next.listen.host, next.listen.port));
    next.listen = running.listen;
  }
  if (next.threads != running.threads) {
    changes.push_back(fmt::format("[runtime] threads ({} -> {})", running.threads, next.threads));
    next.threads = running.threads;
  }
  const bool admin_changed =
      next.admin.has_value() != running.admin.has_value() ||
      (next.admin && (next.admin->host != running.admin->host || next.admin->port != running.admin->port));
  if (admin_changed) {
    changes.push_back(
        fmt::format("[admin] ({} -> {})", endpoint_text(running.admin), endpoint_text(next.admin)));
    next.admin = running.admin;
  }
  if (next.catalog_conninfo != running.catalog_conninfo) {
    // The connection string may hold a password: name the key, not the value.
    changes.push_back("[catalog] conninfo");
    next.catalog_conninfo = running.catalog_conninfo;
  }
  return changes;
}

}  // namespace gdpr::proxy
