#pragma once
// gdpr-proxy's configuration: the TOML file's shape as a plain struct, and the
// loader that validates every key and names the offending one on error.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gdpr::proxy {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  // Refuse clients that do not ask for TLS.
  bool require_tls = false;
};

// [server] sslmode: how the proxy's own connections to PostgreSQL use TLS.
enum class ServerSslMode : std::uint8_t {
  disable,      // plaintext TCP
  require,      // TLS, certificate not checked (protects against eavesdropping only)
  verify_full,  // TLS, certificate chain checked against sslrootcert and the name in [server] host
};

std::string_view ssl_mode_name(ServerSslMode mode);

struct Config {
  Endpoint listen;
  Endpoint server;
  // When set, clients may only open this database.
  std::optional<std::string> server_dbname;
  // [server] passfile: libpq-format credentials the proxy uses when the server
  // asks for SCRAM-SHA-256 for a policy role.
  std::optional<std::string> server_passfile;
  std::chrono::milliseconds server_connect_timeout{5000};
  ServerSslMode server_sslmode = ServerSslMode::disable;
  // [server] sslrootcert: PEM file of the CA certificate(s) that sign the
  // server's certificate; required with verify-full.
  std::optional<std::string> server_sslrootcert;
  std::optional<TlsConfig> tls;
  // [admin]: the HTTP endpoint serving GET /metrics (Prometheus text format).
  std::optional<Endpoint> admin;
  std::uint32_t max_message_bytes = 1u << 30;
  std::uint32_t max_clients = 1000;
  // Longest Query/Parse of a proxy user the rewriter checks; longer ones are refused.
  std::uint32_t max_statement_bytes = 4u << 20;
  unsigned threads = 1;
  std::chrono::seconds drain_timeout{30};
  std::string log_level = "info";
  // [catalog] conninfo: libpq connection string of the user catalog (a role in
  // gdpr_proxy). Unset: no proxy users.
  std::optional<std::string> catalog_conninfo;
  // [auth]: names that are not proxy users go to PostgreSQL's own
  // authentication (true) or are refused like a wrong password (false).
  bool passthrough_unknown_users = false;
  // [auth] failure_delay_ms: how long a failed login waits before its FATAL.
  std::chrono::milliseconds auth_failure_delay{1000};
};

// One line, naming the file and the key (or the line, for syntax errors).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Config load_config(const std::filesystem::path& path);
// `source` names the text in messages (normally the file path).
Config parse_config(std::string_view toml_text, const std::string& source);

}  // namespace gdpr::proxy
