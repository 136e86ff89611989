// The proxy's statement rewriter (proxy/rewrite/), one core, no network:
//   cold/<statement>         rewrite_statement() for the agent policy: parse
//                            with libpg_query, find the tagged tables, splice
//                            the views in (what a cache miss costs)
//   cached/<statement>       RewriteCache::rewrite() of a statement it has seen
//                            (what every repetition costs)
//   passthrough/<statement>  rewrite_statement() for an unmasked policy
//                            (supervisor): parse and session rules only
//   passthrough_cached/...   the same through the cache
// Before timing anything, main() checks that each statement gets the result
// the policy must give it; the run fails (exit 1) if one does not, so the
// numbers are never those of a refusal or of a statement left unchanged.
// Run through run.sh.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rewrite/rewrite_cache.hpp"
#include "statements.hpp"

namespace {

using gdpr::bench::Statement;
using gdpr::proxy::rewrite::PolicyCatalog;
using gdpr::proxy::rewrite::rewrite_statement;
using gdpr::proxy::rewrite::RewriteCache;
using gdpr::proxy::rewrite::RewriteResult;

const char* kind_name(RewriteResult::Kind kind) {
  switch (kind) {
    case RewriteResult::Kind::unchanged:
      return "unchanged";
    case RewriteResult::Kind::rewritten:
      return "rewritten";
    case RewriteResult::Kind::refused:
      return "refused";
  }
  return "?";
}

bool check(const Statement& s, const PolicyCatalog& policy, RewriteResult::Kind expected) {
  const auto result = rewrite_statement(s.sql, policy, true);
  bool ok = result.kind == expected;
  // A rewritten statement must name the policy's views, or it was not masked.
  if (ok && expected == RewriteResult::Kind::rewritten) {
    ok = result.text.find("\"gdpr_mask_" + policy.name + "\".") != std::string::npos;
  }
  if (!ok) {
    std::fprintf(stderr, "%s, policy %s: expected %s, got %s %s\n", s.label, policy.name.c_str(),
                 kind_name(expected), kind_name(result.kind), result.message.c_str());
  }
  return ok;
}

void report(benchmark::State& state, const Statement& s) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * s.statements);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.sql.size()));
  state.counters["statements"] = s.statements;
}

void cold(benchmark::State& state, const Statement& s, const PolicyCatalog& policy) {
  for (auto _ : state) benchmark::DoNotOptimize(rewrite_statement(s.sql, policy, true));
  report(state, s);
}

void cached(benchmark::State& state, const Statement& s, const PolicyCatalog& policy) {
  RewriteCache cache;
  cache.rewrite(s.sql, policy, true);
  for (auto _ : state) benchmark::DoNotOptimize(cache.rewrite(s.sql, policy, true));
  if (cache.misses() != 1) state.SkipWithError("the statement was not served from the cache");
  report(state, s);
}

}  // namespace

int main(int argc, char** argv) {
  const PolicyCatalog agent = gdpr::bench::demo_policy("agent", true);
  const PolicyCatalog supervisor = gdpr::bench::demo_policy("supervisor", false);
  const std::vector<Statement> statements = gdpr::bench::statements();

  bool ok = true;
  for (const auto& s : statements) {
    ok = check(s, agent, s.masked) && ok;
    ok = check(s, supervisor, RewriteResult::Kind::unchanged) && ok;
  }
  if (!ok) return 1;

  for (const auto& s : statements) {
    const std::string name = s.label;
    benchmark::RegisterBenchmark(("cold/" + name).c_str(), cold, s, agent)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("cached/" + name).c_str(), cached, s, agent)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("passthrough/" + name).c_str(), cold, s, supervisor)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("passthrough_cached/" + name).c_str(), cached, s, supervisor)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
