#include "auth/user_directory.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;

// valid_until as seconds since the epoch keeps time-zone settings out of it.
constexpr const char* kDirectoryQuery =
    "SELECT u.name, u.policy, p.backend_role, u.scram_verifier, "
    "       extract(epoch FROM u.valid_until)::float8, u.disabled, p.view_schema "
    "  FROM gdpr.users u JOIN gdpr.policies p ON p.name = u.policy";

// Every policy with the tables it masks, and the tagged columns of each
// (the backend role has no SELECT on them in the base table).
constexpr const char* kPolicyQuery =
    "SELECT p.name, p.masked, v.base_schema, v.base_table, v.view_schema, v.view_name "
    "  FROM gdpr.policies p LEFT JOIN gdpr.masked_views v ON v.policy = p.name "
    " ORDER BY p.name, v.base_schema, v.base_table";
constexpr const char* kPolicyColumnsQuery =
    "SELECT policy, schema_name, table_name, column_name FROM gdpr.policy_columns";

std::atomic<std::uint64_t> next_generation{1};

std::string pq_error(PGconn* conn) {
  std::string message = conn ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\t', ' ');
  return message;
}

}  // namespace

struct CatalogWatcher::Connection {
  PGconn* conn = nullptr;
  ~Connection() { reset(); }
  void reset() {
    if (conn) PQfinish(conn);
    conn = nullptr;
  }
};

namespace {

struct Result {
  PGresult* r;
  ~Result() { PQclear(r); }
};

// Runs a catalog query; throws CatalogError naming `what` on failure.
void run_query(PGconn* conn, const char* sql, const char* what, Result& result) {
  result.r = PQexec(conn, sql);
  if (PQresultStatus(result.r) != PGRES_TUPLES_OK) {
    std::string message = PQresultErrorMessage(result.r);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw CatalogError(fmt::format("cannot read {}: {}", what, message.empty() ? pq_error(conn) : message));
  }
}

void load_policies(PGconn* conn, Directory& directory) {
  Result policies{nullptr};
  run_query(conn, kPolicyQuery, "gdpr.policies and gdpr.masked_views", policies);
  Result columns{nullptr};
  run_query(conn, kPolicyColumnsQuery, "gdpr.policy_columns", columns);
  std::unordered_map<std::string, std::shared_ptr<rewrite::PolicyCatalog>> building;
  for (int row = 0; row < PQntuples(policies.r); ++row) {
    const std::string name = PQgetvalue(policies.r, row, 0);
    auto& policy = building[name];
    if (!policy) {
      policy = std::make_shared<rewrite::PolicyCatalog>();
      policy->name = name;
      policy->masked = std::string_view(PQgetvalue(policies.r, row, 1)) == "t";
      policy->generation = directory.generation;
    }
    if (PQgetisnull(policies.r, row, 2)) continue;  // a policy without views
    policy->tables.push_back(rewrite::MaskedTable{PQgetvalue(policies.r, row, 2),
                                                  PQgetvalue(policies.r, row, 3),
                                                  PQgetvalue(policies.r, row, 4),
                                                  PQgetvalue(policies.r, row, 5),
                                                  {}});
  }
  for (int row = 0; row < PQntuples(columns.r); ++row) {
    const auto it = building.find(PQgetvalue(columns.r, row, 0));
    if (it == building.end()) continue;
    for (auto& table : it->second->tables) {
      if (table.base_schema == PQgetvalue(columns.r, row, 1) &&
          table.base_table == PQgetvalue(columns.r, row, 2)) {
        table.tagged_columns.insert(PQgetvalue(columns.r, row, 3));
      }
    }
  }
  for (auto& [name, policy] : building) directory.policies.emplace(name, std::move(policy));
}

std::shared_ptr<const Directory> load_directory(PGconn* conn) {
  // One snapshot of users and policies, so a reload never pairs a user with
  // a policy state that did not exist.
  Result begin{PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")};
  struct EndTransaction {
    PGconn* conn;
    ~EndTransaction() { PQclear(PQexec(conn, "ROLLBACK")); }
  } end{conn};
  Result users{nullptr};
  run_query(conn, kDirectoryQuery, "gdpr.users", users);
  PGresult* result = users.r;
  auto directory = std::make_shared<Directory>();
  directory->loaded_at = std::chrono::system_clock::now();
  directory->generation = next_generation.fetch_add(1);
  load_policies(conn, *directory);
  for (int row = 0; row < PQntuples(result); ++row) {
    DirectoryUser user;
    user.name = PQgetvalue(result, row, 0);
    user.policy = PQgetvalue(result, row, 1);
    user.backend_role = PQgetvalue(result, row, 2);
    user.verifier = scram::Verifier::parse(PQgetvalue(result, row, 3));
    if (!user.verifier) spdlog::warn("user catalog: user \"{}\" has an unusable SCRAM verifier", user.name);
    if (!PQgetisnull(result, row, 4)) {
      const double epoch = std::strtod(PQgetvalue(result, row, 4), nullptr);
      // 'infinity' / '-infinity' arrive as inf.
      if (std::isinf(epoch)) {
        if (epoch < 0) user.valid_until = std::chrono::system_clock::time_point::min();
      } else {
        user.valid_until = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::duration<double>(epoch)));
      }
    }
    user.disabled = std::string_view(PQgetvalue(result, row, 5)) == "t";
    user.view_schema = PQgetvalue(result, row, 6);
    auto name = user.name;
    directory->users.emplace(std::move(name), std::move(user));
  }
  return directory;
}

}  // namespace

CatalogWatcher::CatalogWatcher(std::string conninfo, UserDirectory& directory)
    : conninfo_(std::move(conninfo)), directory_(directory), connection_(std::make_unique<Connection>()) {}

CatalogWatcher::~CatalogWatcher() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

namespace {

// Opens the catalog connection and subscribes; throws CatalogError.
PGconn* connect_and_listen(const std::string& conninfo) {
  // Named in pg_stat_activity unless the conninfo names it otherwise.
  const char* keywords[] = {"dbname", "fallback_application_name", nullptr};
  const char* values[] = {conninfo.c_str(), "gdpr-proxy user catalog", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    auto message = pq_error(conn);
    if (conn) PQfinish(conn);
    throw CatalogError(message);
  }
  PGresult* result = PQexec(conn, "LISTEN gdpr_catalog");
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (!ok) {
    auto message = pq_error(conn);
    PQfinish(conn);
    throw CatalogError(message);
  }
  return conn;
}

}  // namespace

void CatalogWatcher::load_initial() {
  // LISTEN before the first read: a change committed in between is then
  // announced to us instead of lost.
  connection_->conn = connect_and_listen(conninfo_);
  auto directory = load_directory(connection_->conn);
  spdlog::info("user catalog: loaded {} proxy users", directory->users.size());
  directory_.replace(std::move(directory));
}

void CatalogWatcher::start() {
  thread_ = std::jthread([this](std::stop_token stop) { watch(stop); });
}

void CatalogWatcher::watch(std::stop_token stop) {
  auto backoff = 500ms;
  while (!stop.stop_requested()) {
    if (!connection_->conn) {
      try {
        connection_->conn = connect_and_listen(conninfo_);
        auto directory = load_directory(connection_->conn);
        spdlog::info("user catalog: reconnected; reloaded {} proxy users", directory->users.size());
        directory_.replace(std::move(directory));
        backoff = 500ms;
      } catch (const CatalogError& e) {
        connection_->reset();
        spdlog::warn("user catalog: cannot reconnect ({}); keeping the last loaded users, retrying in {} ms",
                     e.what(), backoff.count());
        // Sleep in short steps so shutdown is not delayed by the backoff.
        const auto until = std::chrono::steady_clock::now() + backoff;
        while (!stop.stop_requested() && std::chrono::steady_clock::now() < until)
          std::this_thread::sleep_for(50ms);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 30s);
        continue;
      }
    }
    PGconn* conn = connection_->conn;
    // Several notifications (one per changed user) collapse into one reload.
    auto drain_notifications = [conn] {
      int count = 0;
      while (PGnotify* notify = PQnotifies(conn)) {
        ++count;
        PQfreemem(notify);
      }
      return count;
    };
    // Notifications that arrived while the last reload ran are already queued
    // in libpq; the socket would not wake us for them.
    int notifications = drain_notifications();
    if (notifications == 0) {
      pollfd fd{PQsocket(conn), POLLIN, 0};
      const int ready = ::poll(&fd, 1, 200);
      if (ready < 0 && errno != EINTR) {
        spdlog::warn("user catalog: poll failed; reconnecting");
        connection_->reset();
        continue;
      }
      if (ready <= 0) continue;
      if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
        spdlog::warn("user catalog: connection lost ({}); reconnecting", pq_error(conn));
        connection_->reset();
        continue;
      }
      notifications = drain_notifications();
    }
    if (notifications == 0) continue;
    try {
      auto directory = load_directory(conn);
      spdlog::info("user catalog: reloaded {} proxy users after {} notification(s)", directory->users.size(),
                   notifications);
      directory_.replace(std::move(directory));
    } catch (const CatalogError& e) {
      spdlog::warn("user catalog: reload failed ({}); keeping the last loaded users; reconnecting", e.what());
      connection_->reset();
    }
  }
}

}  // namespace gdpr::proxy
