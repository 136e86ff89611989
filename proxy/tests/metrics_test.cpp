// The metrics registry and a session's feed into it: buckets follow
// Prometheus' "less than or equal" rule, the text format is what a scraper
// parses, and query latency pairs each Query/Sync with its ReadyForQuery.

#include <gtest/gtest.h>

#include <algorithm>

#include "metrics/registry.hpp"
#include "metrics/session_metrics.hpp"
#include "protocol/messages.hpp"
#include "recording_sink.hpp"

namespace gdpr::proxy::metrics {
namespace {

using namespace std::chrono_literals;
using gdpr::proxy::testing::typed;
using Clock = SessionMetrics::Clock;

bool contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(LatencyHistogram, BucketsAreLessThanOrEqual) {
  LatencyHistogram h;
  h.observe(100us);  // exactly on the first bound: in it
  h.observe(101us);  // just above: the next one
  h.observe(3ms);    // 5 ms bucket
  h.observe(20s);    // +Inf
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative[0], 1u);                                           // le 0.0001
  EXPECT_EQ(s.cumulative[1], 2u);                                           // le 0.00025
  EXPECT_EQ(s.cumulative[4], 2u);                                           // le 0.0025
  EXPECT_EQ(s.cumulative[5], 3u);                                           // le 0.005
  EXPECT_EQ(s.cumulative[LatencyHistogram::kBoundsMicros.size() - 1], 3u);  // le 10
  EXPECT_EQ(s.cumulative.back(), 4u);                                       // +Inf
  EXPECT_EQ(s.count, 4u);
  EXPECT_NEAR(s.sum_seconds, 20.003201, 1e-9);
}

TEST(Registry, RendersThePrometheusTextFormat) {
  Registry r;
  r.connections_total.add(3);
  r.connections_open.add(2);
  r.queries_total.add(7);
  r.bytes_client_to_server.add(100);
  r.bytes_server_to_client.add(2000);
  r.auth_failures_proxy.add();
  r.rewrite_cache_hits.add(5);
  r.query_duration.observe(2ms);
  const auto text = render_prometheus(r, "9.9.9");
  EXPECT_TRUE(contains(text, "gdpr_proxy_build_info{version=\"9.9.9\"} 1\n"));
  EXPECT_TRUE(contains(
      text, "# TYPE gdpr_proxy_client_connections_open gauge\ngdpr_proxy_client_connections_open 2\n"));
  EXPECT_TRUE(contains(text, "# TYPE gdpr_proxy_client_connections_total counter\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_client_connections_total 3\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_queries_total 7\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_bytes_total{direction=\"client_to_server\"} 100\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_bytes_total{direction=\"server_to_client\"} 2000\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_auth_failures_total{by=\"proxy\"} 1\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_auth_failures_total{by=\"server\"} 0\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_rewrite_cache_hits_total 5\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_rewrite_cache_misses_total 0\n"));
  EXPECT_TRUE(contains(text, "# TYPE gdpr_proxy_query_duration_seconds histogram\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_query_duration_seconds_bucket{le=\"0.001\"} 0\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_query_duration_seconds_bucket{le=\"0.0025\"} 1\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_query_duration_seconds_bucket{le=\"+Inf\"} 1\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_query_duration_seconds_sum 0.002\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_query_duration_seconds_count 1\n"));
  EXPECT_TRUE(contains(text, "gdpr_proxy_config_reloads_total{result=\"failure\"} 0\n"));
  // Every sample line is "name[{labels}] value", every family has HELP and TYPE.
  std::size_t families = 0, types = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "the text must end with a newline";
    const auto line = text.substr(pos, end - pos);
    if (line.starts_with("# HELP ")) {
      ++families;
    } else if (line.starts_with("# TYPE ")) {
      ++types;
    } else {
      EXPECT_TRUE(line.starts_with("gdpr_proxy_")) << line;
      EXPECT_EQ(std::count(line.begin(), line.end(), ' '), 1) << line;
    }
    pos = end + 1;
  }
  EXPECT_EQ(families, types);
  EXPECT_GE(families, 10u);
}

wire::Bytes error_message(const char* sqlstate) {
  return protocol::ErrorResponse(protocol::Severity::fatal, sqlstate, "nope").serialize();
}

TEST(SessionMetrics, TimesEachRequestToItsReadyForQuery) {
  Registry r;
  SessionMetrics m(r);
  const auto t0 = Clock::now();
  const auto ready = typed('Z', "I");
  m.server_message(ready, t0);  // the start-up's ReadyForQuery: not a request
  EXPECT_EQ(r.query_duration.snapshot().count, 0u);

  m.client_message('Q', t0);
  m.server_message(ready, t0 + 2ms);
  // Extended protocol, pipelined: Parse/Bind/Execute/Sync twice, then both answers.
  for (char type : {'P', 'B', 'E', 'S', 'P', 'B', 'E', 'S'}) m.client_message(type, t0 + 10ms);
  EXPECT_EQ(m.outstanding(), 2u);
  m.server_message(ready, t0 + 10ms + 300us);
  m.server_message(ready, t0 + 10ms + 600us);
  EXPECT_EQ(m.outstanding(), 0u);

  const auto s = r.query_duration.snapshot();
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.cumulative[2], 1u);          // le 0.0005: the first pipelined request
  EXPECT_EQ(s.cumulative[3], 2u);          // le 0.001: and the second
  EXPECT_EQ(s.cumulative[4], 3u);          // le 0.0025: the simple query
  EXPECT_EQ(r.queries_total.value(), 3u);  // one Query, two Executes
}

TEST(SessionMetrics, DeepPipelinesStayPairedBeyondTheTimedRing) {
  Registry r;
  SessionMetrics m(r);
  const auto t0 = Clock::now();
  const auto ready = typed('Z', "I");
  m.server_message(ready, t0);
  const std::size_t depth = SessionMetrics::kMaxTimed + 10;
  for (std::size_t i = 0; i < depth; ++i) m.client_message('S', t0);
  EXPECT_EQ(m.outstanding(), depth);
  // While untimed requests are pending, a new one must queue behind them.
  m.server_message(ready, t0 + 1ms);
  m.client_message('Q', t0 + 1ms);
  for (std::size_t i = 0; i < depth; ++i) m.server_message(ready, t0 + 1ms);
  EXPECT_EQ(m.outstanding(), 0u);
  EXPECT_EQ(r.query_duration.snapshot().count, SessionMetrics::kMaxTimed);
}

TEST(SessionMetrics, CountsLoginsTheServerRefused) {
  Registry r;
  {
    SessionMetrics m(r);
    m.server_message(error_message("28P01"), Clock::now());
  }
  {
    SessionMetrics m(r);
    m.server_message(error_message("3D000"), Clock::now());  // unknown database: not an auth failure
  }
  {
    SessionMetrics m(r);
    m.server_message(typed('Z', "I"), Clock::now());
    m.server_message(error_message("28000"), Clock::now());  // after start-up: a statement's error
  }
  EXPECT_EQ(r.auth_failures_server.value(), 1u);
}

TEST(SessionMetrics, ObserversCountBytesPerDirection) {
  Registry r;
  SessionMetrics m(r);
  m.client_to_server().on_forwarded(10);
  m.server_to_client().on_forwarded(32);
  m.server_to_client().on_forwarded(1);
  EXPECT_EQ(r.bytes_client_to_server.value(), 10u);
  EXPECT_EQ(r.bytes_server_to_client.value(), 33u);
}

}  // namespace
}  // namespace gdpr::proxy::metrics
