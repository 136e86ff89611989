#pragma once
// What every session shares: the current runtime settings (replaced whole on
// SIGHUP; a session keeps the snapshot it started with) and the process-wide
// services: the cancel registry (mutex inside), the metrics registry and a
// few counters (atomics).

#include <atomic>
#include <cstdint>
#include <memory>

#include "rewrite/rewrite_cache.hpp"
#include "metrics/registry.hpp"
#include "server/asio.hpp"
#include "server/cancel_registry.hpp"
#include "server/runtime_settings.hpp"

namespace gdpr::proxy {

struct ProxyContext {
  // Configuration, TLS contexts, server addresses, authenticator:
  // `settings.current()` once per session.
  SettingsSlot settings;
  CancelRegistry cancel_registry;
  // Rewritten statements of every proxy user's session, by policy.
  rewrite::RewriteCache rewrite_cache;
  // Counters for GET /metrics; any code may add to them (relaxed atomics).
  metrics::Registry metrics;

  // Every session coroutine, including ones still in start-up (drain waits for these).
  std::atomic<std::uint32_t> running_sessions{0};
  // Sessions past start-up, counted against [limits] max_clients.
  std::atomic<std::uint32_t> admitted_clients{0};
  std::atomic<std::uint64_t> next_session_id{1};
};

}  // namespace gdpr::proxy
