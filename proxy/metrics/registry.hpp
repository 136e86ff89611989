#pragma once
// The proxy's operational counters, one process-wide registry reached through
// ProxyContext::metrics. Every update is one relaxed atomic add: the hot path
// (a few updates per message batch) never takes a lock, and each counter sits
// on its own cache line so the worker threads do not bounce a shared line.
// Readers (the admin endpoint) see each value atomically, though not all of
// them at one instant, which is what Prometheus expects of a scrape.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace gdpr::proxy::metrics {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) { value_.fetch_sub(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<std::int64_t> value_{0};
};

// A latency histogram with fixed buckets, stored per bucket (not cumulative)
// so an observation is two relaxed adds: its bucket and the sum (the count is
// the buckets' total, which also keeps +Inf and _count equal in every scrape).
class LatencyHistogram {
 public:
  // Upper bounds in microseconds; a final +Inf bucket follows. Dense below a
  // millisecond, where a proxied select-only transaction lives.
  static constexpr std::array<std::uint64_t, 16> kBoundsMicros{
      100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
      50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  static constexpr std::size_t kBuckets = kBoundsMicros.size() + 1;

  void observe(std::chrono::nanoseconds duration);

  struct Snapshot {
    std::array<std::uint64_t, kBuckets> cumulative{};  // Prometheus' `le` buckets
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const;

 private:
  std::array<Counter, kBuckets> buckets_;
  Counter sum_nanos_;
};

struct Registry {
  // Client connections accepted, and open now (from accept to close).
  Counter connections_total;
  Gauge connections_open;
  // Query messages plus Execute messages from clients.
  Counter queries_total;
  // Bytes forwarded, per direction.
  Counter bytes_client_to_server;
  Counter bytes_server_to_client;
  // From a client's Query/Sync/FunctionCall to the server's ReadyForQuery.
  LatencyHistogram query_duration;
  // Logins the proxy refused (SCRAM end users: 28P01), and logins PostgreSQL
  // refused with a class 28 error (passed-through roles).
  Counter auth_failures_proxy;
  Counter auth_failures_server;
  // The query rewriter's statement cache.
  Counter rewrite_cache_hits;
  Counter rewrite_cache_misses;
  // SIGHUP reloads that were applied / refused (the old configuration stays).
  Counter reloads_succeeded;
  Counter reloads_failed;
};

// The registry in the Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const Registry& registry, std::string_view version);

}  // namespace gdpr::proxy::metrics
