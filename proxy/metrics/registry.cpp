#include "metrics/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace gdpr::proxy::metrics {

void LatencyHistogram::observe(std::chrono::nanoseconds duration) {
  const auto nanos = static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0));
  // Prometheus buckets are "less than or equal": the first bound >= the value.
  std::size_t bucket = 0;
  while (bucket < kBoundsMicros.size() && nanos > kBoundsMicros[bucket] * 1000) ++bucket;
  buckets_[bucket].add();
  sum_nanos_.add(nanos);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
  Snapshot s;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    running += buckets_[i].value();
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum_seconds = static_cast<double>(sum_nanos_.value()) / 1e9;
  return s;
}

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  fmt::format_to(std::back_inserter(out), "{}{} {}\n", name, labels, value);
}

}  // namespace

std::string render_prometheus(const Registry& r, std::string_view version) {
  std::string out;
  out.reserve(4096);

  family(out, "gdpr_proxy_build_info", "gauge", "Version of the running gdpr-proxy.");
  fmt::format_to(std::back_inserter(out), "gdpr_proxy_build_info{{version=\"{}\"}} 1\n", version);

  family(out, "gdpr_proxy_client_connections_open", "gauge", "Client connections open now.");
  fmt::format_to(std::back_inserter(out), "gdpr_proxy_client_connections_open {}\n",
                 r.connections_open.value());
  family(out, "gdpr_proxy_client_connections_total", "counter", "Client connections accepted.");
  sample(out, "gdpr_proxy_client_connections_total", "", r.connections_total.value());

  family(out, "gdpr_proxy_queries_total", "counter",
         "Query and Execute messages sent by clients (an extended-protocol query counts at its Execute).");
  sample(out, "gdpr_proxy_queries_total", "", r.queries_total.value());

  family(out, "gdpr_proxy_bytes_total", "counter", "Bytes relayed, by direction.");
  sample(out, "gdpr_proxy_bytes_total", "{direction=\"client_to_server\"}", r.bytes_client_to_server.value());
  sample(out, "gdpr_proxy_bytes_total", "{direction=\"server_to_client\"}", r.bytes_server_to_client.value());

  const auto h = r.query_duration.snapshot();
  family(out, "gdpr_proxy_query_duration_seconds", "histogram",
         "Time from a client's Query, Sync or FunctionCall to the server's ReadyForQuery.");
  for (std::size_t i = 0; i < LatencyHistogram::kBoundsMicros.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "gdpr_proxy_query_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                   static_cast<double>(LatencyHistogram::kBoundsMicros[i]) / 1e6, h.cumulative[i]);
  }
  fmt::format_to(std::back_inserter(out), "gdpr_proxy_query_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                 h.cumulative.back());
  fmt::format_to(std::back_inserter(out), "gdpr_proxy_query_duration_seconds_sum {}\n", h.sum_seconds);
  fmt::format_to(std::back_inserter(out), "gdpr_proxy_query_duration_seconds_count {}\n", h.count);

  family(out, "gdpr_proxy_auth_failures_total", "counter",
         "Failed logins: by=\"proxy\" end users the proxy refused (SQLSTATE 28P01), by=\"server\" logins "
         "PostgreSQL refused with a class 28 error.");
  sample(out, "gdpr_proxy_auth_failures_total", "{by=\"proxy\"}", r.auth_failures_proxy.value());
  sample(out, "gdpr_proxy_auth_failures_total", "{by=\"server\"}", r.auth_failures_server.value());

  family(out, "gdpr_proxy_rewrite_cache_hits_total", "counter",
         "Statements the rewriter found in its cache.");
  sample(out, "gdpr_proxy_rewrite_cache_hits_total", "", r.rewrite_cache_hits.value());
  family(out, "gdpr_proxy_rewrite_cache_misses_total", "counter",
         "Statements the rewriter had to parse and rewrite.");
  sample(out, "gdpr_proxy_rewrite_cache_misses_total", "", r.rewrite_cache_misses.value());

  family(out, "gdpr_proxy_config_reloads_total", "counter",
         "SIGHUP reloads: result=\"success\" applied, result=\"failure\" refused (the running configuration "
         "stays).");
  sample(out, "gdpr_proxy_config_reloads_total", "{result=\"success\"}", r.reloads_succeeded.value());
  sample(out, "gdpr_proxy_config_reloads_total", "{result=\"failure\"}", r.reloads_failed.value());
  return out;
}

}  // namespace gdpr::proxy::metrics
