// gdpr-proxy entry point: parse the command line, load and validate the
// configuration, start the server. Every start-up failure is one line on
// stderr and a non-zero exit status.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "config/config.hpp"
#include "server/proxy_server.hpp"

namespace {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("gdpr-proxy");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "gdpr-proxy: error: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gdpr-proxy: PostgreSQL wire-protocol proxy of pg_gdpr"};
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "TOML configuration file")->required();
  app.add_flag("--check-config", check_only, "validate the configuration and exit (0 = valid)");
  app.set_version_flag("--version", GDPR_PROXY_VERSION);
  CLI11_PARSE(app, argc, argv);

  gdpr::proxy::Config config;
  try {
    config = gdpr::proxy::load_config(config_path);
  } catch (const gdpr::proxy::ConfigError& e) {
    return fail(e.what());
  }
  if (check_only) {
    // Also load the TLS files (both sides), which is where most deployment mistakes show.
    try {
      if (config.tls) gdpr::proxy::make_tls_context(*config.tls);
      gdpr::proxy::make_server_tls_context(config);
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    std::printf("%s: configuration is valid\n", config_path.c_str());
    return 0;
  }

  setup_logging(config.log_level);
  // A client vanishing mid-write must be an error code, not a fatal signal.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    gdpr::proxy::ProxyServer server(std::move(config), config_path);
    return server.run();
  } catch (const gdpr::proxy::StartupError& e) {
    return fail(e.what());
  } catch (const std::exception& e) {
    return fail(fmt::format("unexpected failure: {}", e.what()));
  }
}
