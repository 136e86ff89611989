// What a reload may change: restart-only settings keep their running values
// (and are reported), everything else comes from the new file; broken TLS
// files make the new settings fail to build, so the old ones stay.

#include <gtest/gtest.h>

#include "server/runtime_settings.hpp"
#include "server/startup_error.hpp"

namespace gdpr::proxy {
namespace {

Config base() {
  Config c;
  c.listen = {"127.0.0.1", 6432};
  c.server = {"127.0.0.1", 5432};
  c.threads = 2;
  return c;
}

TEST(RuntimeSettings, RestartOnlyChangesKeepTheRunningValues) {
  const auto running = base();
  auto next = base();
  next.listen.port = 7000;
  next.threads = 4;
  next.admin = Endpoint{"127.0.0.1", 9187};
  next.catalog_conninfo = "host=x password=secret";
  next.max_clients = 5;     // reloadable
  next.server.port = 5433;  // reloadable
  const auto changes = restart_only_changes(running, next);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0], "[listen] host, port (127.0.0.1:6432 -> 127.0.0.1:7000)");
  EXPECT_EQ(changes[1], "[runtime] threads (2 -> 4)");
  EXPECT_EQ(changes[2], "[admin] ((none) -> 127.0.0.1:9187)");
  EXPECT_EQ(changes[3], "[catalog] conninfo");  // never its value: it may hold a password
  EXPECT_EQ(next.listen.port, 6432);
  EXPECT_EQ(next.threads, 2u);
  EXPECT_FALSE(next.admin);
  EXPECT_FALSE(next.catalog_conninfo);
  EXPECT_EQ(next.max_clients, 5u);
  EXPECT_EQ(next.server.port, 5433);
}

TEST(RuntimeSettings, NothingToReportWhenOnlyReloadableSettingsChange) {
  auto next = base();
  next.log_level = "debug";
  next.auth_failure_delay = std::chrono::milliseconds(5);
  EXPECT_TRUE(restart_only_changes(base(), next).empty());
}

TEST(RuntimeSettings, BuildsWithoutTls) {
  auto settings = prepare_runtime_settings(base());
  EXPECT_FALSE(settings->tls_context);
  EXPECT_FALSE(settings->server_tls_context);
  ASSERT_FALSE(settings->server_endpoints.empty());
  EXPECT_EQ(settings->server_endpoints.front().port(), 5432);
}

TEST(RuntimeSettings, ABrokenCertificateFailsTheBuild) {
  auto config = base();
  config.tls = TlsConfig{"/etc/hostname", "/etc/hostname", false};
  try {
    prepare_runtime_settings(config);
    FAIL() << "a non-PEM certificate was accepted";
  } catch (const StartupError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("[tls] cert_file \"/etc/hostname\": cannot load certificate", 0),
              0u)
        << e.what();
  }
}

TEST(RuntimeSettings, ABrokenRootCertificateFailsTheBuild) {
  auto config = base();
  config.server_sslmode = ServerSslMode::verify_full;
  config.server_sslrootcert = "/etc/hostname";
  try {
    prepare_runtime_settings(config);
    FAIL() << "a non-PEM CA file was accepted";
  } catch (const StartupError& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind("[server] sslrootcert \"/etc/hostname\": cannot load CA certificates", 0),
        0u)
        << e.what();
  }
}

TEST(RuntimeSettings, SlotHandsOutTheCurrentSnapshot) {
  SettingsSlot slot;
  auto first = prepare_runtime_settings(base());
  slot.replace(first);
  const auto held = slot.current();  // a session's snapshot
  auto changed = base();
  changed.max_clients = 1;
  slot.replace(prepare_runtime_settings(changed));
  EXPECT_EQ(held->config.max_clients, 1000u);
  EXPECT_EQ(slot.current()->config.max_clients, 1u);
}

}  // namespace
}  // namespace gdpr::proxy
