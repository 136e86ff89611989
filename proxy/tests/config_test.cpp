#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"

namespace gdpr::proxy {
namespace {

const std::string kMinimal = R"(
[listen]
host = "127.0.0.1"
port = 6432
[server]
host = "127.0.0.1"
port = 54329
)";

// The ConfigError message for `text`, or "" when it is valid.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "proxy.toml");
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

TEST(Config, MinimalFileGetsDefaults) {
  const auto config = parse_config(kMinimal, "proxy.toml");
  EXPECT_EQ(config.listen.host, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 6432);
  EXPECT_EQ(config.server.port, 54329);
  EXPECT_FALSE(config.server_dbname);
  EXPECT_FALSE(config.tls);
  EXPECT_FALSE(config.admin);
  EXPECT_EQ(config.max_message_bytes, 1u << 30);
  EXPECT_EQ(config.max_clients, 1000u);
  EXPECT_GE(config.threads, 1u);
  EXPECT_EQ(config.log_level, "info");
}

TEST(Config, EverySectionIsRead) {
  const auto path = std::filesystem::temp_directory_path() / "gdpr_proxy_config_test.pem";
  std::ofstream(path) << "not checked here\n";
  const auto config = parse_config(kMinimal + R"(dbname = "gdpr_demo"
connect_timeout_ms = 1500
[tls]
cert_file = ")" + path.string() + R"("
key_file = ")" + path.string() + R"("
require_tls = true
[admin]
port = 9187
[limits]
max_message_bytes = 65536
max_clients = 50
[runtime]
threads = 3
drain_timeout_seconds = 5
[log]
level = "debug"
)",
                                   "proxy.toml");
  EXPECT_EQ(config.server_dbname.value(), "gdpr_demo");
  EXPECT_EQ(config.server_connect_timeout.count(), 1500);
  ASSERT_TRUE(config.tls);
  EXPECT_TRUE(config.tls->require_tls);
  ASSERT_TRUE(config.admin);
  EXPECT_EQ(config.admin->host, "127.0.0.1");
  EXPECT_EQ(config.admin->port, 9187);
  EXPECT_EQ(config.max_message_bytes, 65536u);
  EXPECT_EQ(config.max_clients, 50u);
  EXPECT_EQ(config.threads, 3u);
  EXPECT_EQ(config.drain_timeout.count(), 5);
  EXPECT_EQ(config.log_level, "debug");
  std::filesystem::remove(path);
}

TEST(Config, MissingFileNamesThePath) {
  try {
    load_config("/nonexistent/gdpr-proxy.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/gdpr-proxy.toml: cannot open configuration file: No such file or directory");
  }
}

TEST(Config, SyntaxErrorGivesTheLine) {
  EXPECT_EQ(
      error_of("[listen]\nport = 6432\nhost = \n"),
      "proxy.toml:3:8: TOML syntax error: Error while parsing key-value pair: expected value, saw '\\n'");
}

TEST(Config, PortZeroIsRefused) {
  EXPECT_EQ(error_of("[listen]\nport = 0\n[server]\nhost = \"h\"\nport = 5432\n"),
            "proxy.toml: [listen] port: must be between 1 and 65535, got 0");
}

TEST(Config, PortAbove65535IsRefused) {
  EXPECT_EQ(error_of("[listen]\nport = 6432\n[server]\nhost = \"h\"\nport = 70000\n"),
            "proxy.toml: [server] port: must be between 1 and 65535, got 70000");
}

TEST(Config, PortThatIsNotANumberIsRefused) {
  EXPECT_EQ(error_of("[listen]\nport = \"abc\"\n[server]\nhost = \"h\"\nport = 5432\n"),
            "proxy.toml: [listen] port: must be an integer between 1 and 65535, got string 'abc'");
}

TEST(Config, MissingServerHostIsRefused) {
  EXPECT_EQ(error_of("[listen]\nport = 6432\n[server]\nport = 5432\n"),
            "proxy.toml: [server] host: is required");
}

TEST(Config, MissingServerSectionIsRefused) {
  EXPECT_EQ(error_of("[listen]\nport = 6432\n"), "proxy.toml: [server]: section is required");
}

TEST(Config, MissingListenSectionIsRefused) {
  EXPECT_EQ(error_of("[server]\nhost = \"h\"\nport = 5432\n"), "proxy.toml: [listen]: section is required");
}

TEST(Config, UnknownKeyIsRefusedNotIgnored) {
  EXPECT_EQ(error_of(kMinimal + "prot = 1\n"),
            "proxy.toml: [server] prot: unknown key (allowed: host, port, dbname, connect_timeout_ms, "
            "passfile, sslmode, "
            "sslrootcert)");
}

TEST(Config, UnknownSectionIsRefused) {
  EXPECT_EQ(error_of(kMinimal + "[pool]\nsize = 3\n"),
            "proxy.toml: [pool]: unknown section (allowed: listen, server, tls, admin, limits, runtime, log, "
            "catalog, "
            "auth)");
}

TEST(Config, TlsFilesMustBeReadable) {
  EXPECT_EQ(error_of(kMinimal +
                     "[tls]\ncert_file = \"/nonexistent/cert.pem\"\nkey_file = \"/nonexistent/key.pem\"\n"),
            "proxy.toml: [tls] cert_file: cannot read \"/nonexistent/cert.pem\": No such file or directory");
}

TEST(Config, TlsNeedsAKeyFile) {
  const auto path = std::filesystem::temp_directory_path() / "gdpr_proxy_config_test_cert.pem";
  std::ofstream(path) << "x\n";
  EXPECT_EQ(error_of(kMinimal + "[tls]\ncert_file = \"" + path.string() + "\"\n"),
            "proxy.toml: [tls] key_file: is required");
  std::filesystem::remove(path);
}

TEST(Config, RequireTlsMustBeBoolean) {
  EXPECT_EQ(error_of(kMinimal + "[tls]\nrequire_tls = \"yes\"\n").rfind("proxy.toml: [tls] ", 0), 0u);
}

TEST(Config, MaxMessageBytesHasBounds) {
  EXPECT_EQ(error_of(kMinimal + "[limits]\nmax_message_bytes = 2147483648\n"),
            "proxy.toml: [limits] max_message_bytes: must be between 4096 and 1073741824, got 2147483648");
}

TEST(Config, MaxClientsMustBePositive) {
  EXPECT_EQ(error_of(kMinimal + "[limits]\nmax_clients = 0\n"),
            "proxy.toml: [limits] max_clients: must be between 1 and 1000000, got 0");
}

TEST(Config, ThreadsHaveBounds) {
  EXPECT_EQ(error_of(kMinimal + "[runtime]\nthreads = 0\n"),
            "proxy.toml: [runtime] threads: must be between 1 and 256, got 0");
}

TEST(Config, LogLevelMustBeKnown) {
  EXPECT_EQ(
      error_of(kMinimal + "[log]\nlevel = \"loud\"\n"),
      "proxy.toml: [log] level: must be one of trace, debug, info, warn, error, critical, off, got \"loud\"");
}

TEST(Config, AdminPortMustDifferFromListenPort) {
  EXPECT_EQ(error_of(kMinimal + "[admin]\nport = 6432\n"),
            "proxy.toml: [admin] port: must differ from [listen] port");
}

TEST(Config, EmptyDbnameIsRefused) {
  EXPECT_EQ(error_of(kMinimal + "dbname = \"\"\n"),
            "proxy.toml: [server] dbname: must not be empty (leave it out to allow every database)");
}

TEST(Config, AuthDefaultsAreSafe) {
  const auto config = parse_config(kMinimal, "proxy.toml");
  EXPECT_FALSE(config.catalog_conninfo);
  EXPECT_FALSE(config.passthrough_unknown_users);
  EXPECT_EQ(config.auth_failure_delay, std::chrono::milliseconds(1000));
}

TEST(Config, CatalogAndAuthAreRead) {
  const auto config = parse_config(kMinimal +
                                       "[catalog]\nconninfo = \"host=db dbname=app user=gdpr_proxy_login\"\n"
                                       "[auth]\npassthrough_unknown_users = true\nfailure_delay_ms = 250\n",
                                   "proxy.toml");
  EXPECT_EQ(config.catalog_conninfo.value_or(""), "host=db dbname=app user=gdpr_proxy_login");
  EXPECT_TRUE(config.passthrough_unknown_users);
  EXPECT_EQ(config.auth_failure_delay, std::chrono::milliseconds(250));
}

TEST(Config, CatalogAndAuthAreValidated) {
  EXPECT_EQ(error_of(kMinimal + "[catalog]\n"), "proxy.toml: [catalog] conninfo: is required");
  EXPECT_EQ(error_of(kMinimal + "[catalog]\nconninfo = \"\"\n"),
            "proxy.toml: [catalog] conninfo: must not be empty");
  EXPECT_EQ(error_of(kMinimal + "[auth]\npassthrough_unknown_users = \"yes\"\n"),
            "proxy.toml: [auth] passthrough_unknown_users: must be true or false, got string 'yes'");
  EXPECT_EQ(error_of(kMinimal + "[auth]\nfailure_delay_ms = -1\n"),
            "proxy.toml: [auth] failure_delay_ms: must be between 0 and 60000, got -1");
  EXPECT_EQ(
      error_of(kMinimal + "[auth]\npassthrough = true\n"),
      "proxy.toml: [auth] passthrough: unknown key (allowed: passthrough_unknown_users, failure_delay_ms)");
}

TEST(Config, SectionMustBeATable) {
  EXPECT_EQ(error_of("log = 3\n" + kMinimal), "proxy.toml: log: must be a [section]");
}

}  // namespace
}  // namespace gdpr::proxy

namespace gdpr::proxy {
namespace {

TEST(ConfigServerTls, DefaultsToDisable) {
  const auto config = parse_config(kMinimal, "proxy.toml");
  EXPECT_EQ(config.server_sslmode, ServerSslMode::disable);
  EXPECT_FALSE(config.server_sslrootcert);
}

TEST(ConfigServerTls, RequireNeedsNoRootCertificate) {
  const auto config = parse_config(kMinimal + "sslmode = \"require\"\n", "proxy.toml");
  EXPECT_EQ(config.server_sslmode, ServerSslMode::require);
}

TEST(ConfigServerTls, VerifyFullReadsTheRootCertificate) {
  const auto path = std::filesystem::temp_directory_path() / "gdpr_proxy_config_test_ca.pem";
  std::ofstream(path) << "not checked here\n";
  const auto config = parse_config(
      kMinimal + "sslmode = \"verify-full\"\nsslrootcert = \"" + path.string() + "\"\n", "proxy.toml");
  EXPECT_EQ(config.server_sslmode, ServerSslMode::verify_full);
  EXPECT_EQ(config.server_sslrootcert.value(), path.string());
  std::filesystem::remove(path);
}

TEST(ConfigServerTls, VerifyFullWithoutRootCertificateIsRefused) {
  EXPECT_EQ(error_of(kMinimal + "sslmode = \"verify-full\"\n"),
            "proxy.toml: [server] sslrootcert: is required with sslmode = \"verify-full\" (the CA that signs "
            "the server's certificate)");
}

TEST(ConfigServerTls, RootCertificateWithoutVerifyFullIsRefused) {
  EXPECT_EQ(error_of(kMinimal + "sslmode = \"require\"\nsslrootcert = \"/etc/hosts\"\n"),
            "proxy.toml: [server] sslrootcert: is only used with sslmode = \"verify-full\"");
}

TEST(ConfigServerTls, UnknownModeIsRefused) {
  EXPECT_EQ(error_of(kMinimal + "sslmode = \"verify-ca\"\n"),
            "proxy.toml: [server] sslmode: must be one of disable, require, verify-full, got \"verify-ca\"");
}

TEST(ConfigServerTls, UnreadableRootCertificateIsRefused) {
  EXPECT_EQ(
      error_of(kMinimal + "sslmode = \"verify-full\"\nsslrootcert = \"/nonexistent/ca.pem\"\n"),
      "proxy.toml: [server] sslrootcert: cannot read \"/nonexistent/ca.pem\": No such file or directory");
}

}  // namespace
}  // namespace gdpr::proxy
