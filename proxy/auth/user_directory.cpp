#include "auth/user_directory.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;

// valid_until as seconds since the epoch keeps time-zone settings out of it.
constexpr const char* kDirectoryQuery =
    "SELECT u.name, u.policy, p.backend_role, u.scram_verifier, "
    "       extract(epoch FROM u.valid_until)::float8, u.disabled, p.view_schema "
    "  FROM gdpr.users u JOIN gdpr.policies p ON p.name = u.policy";

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

std::shared_ptr<const Directory> load_directory(PGconn* conn) {
  PGresult* result = PQexec(conn, kDirectoryQuery);
  struct Clear {
    PGresult* r;
    ~Clear() { PQclear(r); }
  } clear{result};
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    std::string message = PQresultErrorMessage(result);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw CatalogError(fmt::format("cannot read gdpr.users: {}", message.empty() ? pq_error(conn) : message));
  }
  auto directory = std::make_shared<Directory>();
  directory->loaded_at = std::chrono::system_clock::now();
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
