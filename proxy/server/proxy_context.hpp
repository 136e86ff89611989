#pragma once
// What every session shares: the validated configuration and the process-wide
// services. Built once at start-up; sessions only read it, except the cancel
// registry (mutex inside) and the counters (atomics).

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "auth/authenticator.hpp"
#include "config/config.hpp"
#include "rewrite/rewrite_cache.hpp"
#include "server/asio.hpp"
#include "server/cancel_registry.hpp"

namespace gdpr::proxy {

struct ProxyContext {
  Config config;
  // Resolved once at start-up.
  std::vector<tcp::endpoint> server_endpoints;
  // Null when [tls] is not configured.
  std::unique_ptr<asio::ssl::context> tls_context;
  std::unique_ptr<Authenticator> authenticator;
  CancelRegistry cancel_registry;
  // Rewritten statements of every proxy user's session, by policy.
  rewrite::RewriteCache rewrite_cache;

  // Every session coroutine, including ones still in start-up (drain waits for these).
  std::atomic<std::uint32_t> running_sessions{0};
  // Sessions past start-up, counted against [limits] max_clients.
  std::atomic<std::uint32_t> admitted_clients{0};
  std::atomic<std::uint64_t> next_session_id{1};
};

}  // namespace gdpr::proxy
