#pragma once
// The proxy's copy of the extension's user catalog (gdpr.users joined with
// gdpr.policies): who may log in, under which backend role, with which SCRAM
// verifier. Sessions read an immutable snapshot; the catalog watcher builds a
// new one on every NOTIFY gdpr_catalog and swaps it in, so a login never waits
// for the database and never sees half a reload.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>

#include "auth/scram.hpp"
#include "rewrite/policy_catalog.hpp"

namespace gdpr::proxy {

struct DirectoryUser {
  std::string name;
  std::string policy;
  // The PostgreSQL login role of the policy (gdpr_policy_<policy>).
  std::string backend_role;
  // The schema of the policy's masked views (gdpr_mask_<policy>).
  std::string view_schema;
  // nullopt when the stored verifier cannot be parsed (the user cannot log in).
  std::optional<scram::Verifier> verifier;
  std::optional<std::chrono::system_clock::time_point> valid_until;
  bool disabled = false;
};

struct Directory {
  std::unordered_map<std::string, DirectoryUser> users;
  // What the statement rewriter needs of each policy, by policy name.
  std::unordered_map<std::string, std::shared_ptr<const rewrite::PolicyCatalog>> policies;
  std::chrono::system_clock::time_point loaded_at;
  // Increases with every load: rewrites cached under an older generation are stale.
  std::uint64_t generation = 0;

  const DirectoryUser* find(const std::string& name) const {
    const auto it = users.find(name);
    return it == users.end() ? nullptr : &it->second;
  }
  std::shared_ptr<const rewrite::PolicyCatalog> policy(const std::string& name) const {
    const auto it = policies.find(name);
    return it == policies.end() ? nullptr : it->second;
  }
};

// The current snapshot. Readers take a shared_ptr copy (a mutex held for a
// pointer copy only); the writer swaps in a complete new Directory.
class UserDirectory {
 public:
  UserDirectory() : current_(std::make_shared<const Directory>()) {}
  std::shared_ptr<const Directory> snapshot() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(std::shared_ptr<const Directory> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Directory> current_;
};

class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads the directory over libpq and keeps it current: a dedicated thread
// LISTENs on gdpr_catalog, reloads on every notification, and reconnects with
// backoff (then reloads, since notifications may have been missed meanwhile).
class CatalogWatcher {
 public:
  CatalogWatcher(std::string conninfo, UserDirectory& directory);
  ~CatalogWatcher();

  // Connects, LISTENs and loads once; throws CatalogError with libpq's reason.
  // Called at start-up so a broken catalog stops the proxy with a clear message.
  void load_initial();
  // Starts the watching thread (after load_initial).
  void start();

 private:
  void watch(std::stop_token stop);

  std::string conninfo_;
  UserDirectory& directory_;
  struct Connection;
  std::unique_ptr<Connection> connection_;
  std::jthread thread_;
};

}  // namespace gdpr::proxy
