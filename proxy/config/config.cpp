#include "config/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace gdpr::proxy {
namespace {

constexpr std::array kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};

// Reads one table of the file, remembering the section name for messages and
// refusing keys nobody reads (a typo must not silently become a default).
class Section {
 public:
  Section(const std::string& source, std::string name, const toml::table* table)
      : source_(source), name_(std::move(name)), table_(table) {}

  bool present() const { return table_ != nullptr; }

  [[noreturn]] void fail(std::string_view key, std::string_view what) const {
    throw ConfigError(fmt::format("{}: [{}] {}: {}", source_, name_, key, what));
  }

  void allow_only(std::initializer_list<std::string_view> keys) const {
    if (!table_) return;
    for (const auto& [key, value] : *table_) {
      bool known = false;
      for (auto k : keys) known = known || k == key.str();
      if (!known) {
        fail(key.str(), fmt::format("unknown key (allowed: {})", fmt::join(keys, ", ")));
      }
    }
  }

  const toml::node* node(std::string_view key) const { return table_ ? table_->get(key) : nullptr; }

  std::optional<std::string> string(std::string_view key) const {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    const auto* s = n->as_string();
    if (!s) fail(key, fmt::format("must be a string, got {}", describe(*n)));
    return s->get();
  }

  std::string required_string(std::string_view key) const {
    auto s = string(key);
    if (!s) fail(key, "is required");
    if (s->empty()) fail(key, "must not be empty");
    return *s;
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    const auto* i = n->as_integer();
    if (!i) fail(key, fmt::format("must be an integer between {} and {}, got {}", min, max, describe(*n)));
    const auto v = i->get();
    if (v < min || v > max) fail(key, fmt::format("must be between {} and {}, got {}", min, max, v));
    return v;
  }

  std::optional<bool> boolean(std::string_view key) const {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    const auto* b = n->as_boolean();
    if (!b) fail(key, fmt::format("must be true or false, got {}", describe(*n)));
    return b->get();
  }

  std::uint16_t required_port(std::string_view key) const {
    auto v = integer(key, 1, 65535);
    if (!v) fail(key, "is required");
    return static_cast<std::uint16_t>(*v);
  }

  Endpoint endpoint(std::optional<std::string> default_host) const {
    Endpoint e;
    if (default_host && !node("host")) {
      e.host = *default_host;
    } else {
      e.host = required_string("host");
    }
    e.port = required_port("port");
    return e;
  }

  std::string readable_file(std::string_view key) const {
    auto path = required_string(key);
    std::ifstream f(path);
    if (!f) fail(key, fmt::format("cannot read \"{}\": {}", path, std::strerror(errno)));
    return path;
  }

 private:
  static std::string describe(const toml::node& n) {
    std::ostringstream out;
    out << n.type() << ' ' << toml::node_view<const toml::node>(n);
    return out.str();
  }

  const std::string& source_;
  std::string name_;
  const toml::table* table_;
};

}  // namespace

std::string_view ssl_mode_name(ServerSslMode mode) {
  switch (mode) {
    case ServerSslMode::disable:
      return "disable";
    case ServerSslMode::require:
      return "require";
    case ServerSslMode::verify_full:
      return "verify-full";
  }
  return "unknown";
}

Config parse_config(std::string_view toml_text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: TOML syntax error: {}", source, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }

  constexpr std::array kSections{"listen",  "server", "tls",     "admin", "limits",
                                 "runtime", "log",    "catalog", "auth"};
  for (const auto& [key, value] : root) {
    bool known = false;
    for (auto s : kSections) known = known || s == key.str();
    if (!known) {
      throw ConfigError(fmt::format("{}: [{}]: unknown section (allowed: {})", source, key.str(),
                                    fmt::join(kSections, ", ")));
    }
    if (!value.is_table()) throw ConfigError(fmt::format("{}: {}: must be a [section]", source, key.str()));
  }
  auto section = [&](const char* name) { return Section(source, name, root[name].as_table()); };

  Config config;

  const auto listen = section("listen");
  if (!listen.present()) throw ConfigError(fmt::format("{}: [listen]: section is required", source));
  listen.allow_only({"host", "port"});
  config.listen = listen.endpoint("127.0.0.1");

  const auto server = section("server");
  if (!server.present()) throw ConfigError(fmt::format("{}: [server]: section is required", source));
  server.allow_only({"host", "port", "dbname", "connect_timeout_ms", "passfile", "sslmode", "sslrootcert"});
  config.server = server.endpoint(std::nullopt);
  if (auto db = server.string("dbname")) {
    if (db->empty()) server.fail("dbname", "must not be empty (leave it out to allow every database)");
    config.server_dbname = *db;
  }
  if (server.node("passfile")) config.server_passfile = server.readable_file("passfile");
  if (auto ms = server.integer("connect_timeout_ms", 1, 600000))
    config.server_connect_timeout = std::chrono::milliseconds(*ms);
  if (auto mode = server.string("sslmode")) {
    if (*mode == "disable") {
      config.server_sslmode = ServerSslMode::disable;
    } else if (*mode == "require") {
      config.server_sslmode = ServerSslMode::require;
    } else if (*mode == "verify-full") {
      config.server_sslmode = ServerSslMode::verify_full;
    } else {
      server.fail("sslmode", fmt::format("must be one of disable, require, verify-full, got \"{}\"", *mode));
    }
  }
  if (server.node("sslrootcert")) {
    // With require the certificate is not checked, so a CA file would only
    // suggest a protection that is not there.
    if (config.server_sslmode != ServerSslMode::verify_full)
      server.fail("sslrootcert", "is only used with sslmode = \"verify-full\"");
    config.server_sslrootcert = server.readable_file("sslrootcert");
  } else if (config.server_sslmode == ServerSslMode::verify_full) {
    server.fail("sslrootcert",
                "is required with sslmode = \"verify-full\" (the CA that signs the server's certificate)");
  }

  const auto tls = section("tls");
  if (tls.present()) {
    tls.allow_only({"cert_file", "key_file", "require_tls"});
    TlsConfig t;
    t.cert_file = tls.readable_file("cert_file");
    t.key_file = tls.readable_file("key_file");
    t.require_tls = tls.boolean("require_tls").value_or(false);
    config.tls = t;
  }

  const auto admin = section("admin");
  if (admin.present()) {
    admin.allow_only({"host", "port"});
    config.admin = admin.endpoint("127.0.0.1");
  }

  const auto limits = section("limits");
  limits.allow_only({"max_message_bytes", "max_clients", "max_statement_bytes"});
  if (auto v = limits.integer("max_message_bytes", 4096, 1ll << 30))
    config.max_message_bytes = static_cast<std::uint32_t>(*v);
  if (auto v = limits.integer("max_clients", 1, 1000000)) config.max_clients = static_cast<std::uint32_t>(*v);
  if (auto v = limits.integer("max_statement_bytes", 1024, 1ll << 30))
    config.max_statement_bytes = static_cast<std::uint32_t>(*v);

  const auto runtime = section("runtime");
  runtime.allow_only({"threads", "drain_timeout_seconds"});
  config.threads = std::max(1u, std::thread::hardware_concurrency());
  if (auto v = runtime.integer("threads", 1, 256)) config.threads = static_cast<unsigned>(*v);
  if (auto v = runtime.integer("drain_timeout_seconds", 0, 3600))
    config.drain_timeout = std::chrono::seconds(*v);

  const auto log = section("log");
  log.allow_only({"level"});
  if (auto level = log.string("level")) {
    bool known = false;
    for (auto l : kLogLevels) known = known || *level == l;
    if (!known)
      log.fail("level", fmt::format("must be one of {}, got \"{}\"", fmt::join(kLogLevels, ", "), *level));
    config.log_level = *level;
  }

  const auto catalog = section("catalog");
  if (catalog.present()) {
    catalog.allow_only({"conninfo"});
    config.catalog_conninfo = catalog.required_string("conninfo");
  }

  const auto auth = section("auth");
  auth.allow_only({"passthrough_unknown_users", "failure_delay_ms"});
  config.passthrough_unknown_users = auth.boolean("passthrough_unknown_users").value_or(false);
  if (auto ms = auth.integer("failure_delay_ms", 0, 60000))
    config.auth_failure_delay = std::chrono::milliseconds(*ms);

  if (config.admin && config.admin->host == config.listen.host && config.admin->port == config.listen.port) {
    admin.fail("port", "must differ from [listen] port");
  }
  return config;
}

Config load_config(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw ConfigError(
        fmt::format("{}: cannot open configuration file: {}", path.string(), std::strerror(errno)));
  std::ostringstream text;
  text << file.rdbuf();
  return parse_config(text.str(), path.string());
}

}  // namespace gdpr::proxy
