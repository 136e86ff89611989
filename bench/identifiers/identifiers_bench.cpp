// Micro-benchmarks of the identifier recogniser (extension/identifiers/):
// values per second for normalize() by kind of input, and bytes per second
// for find_in_text()/redact() on support-mail text. Run through run.sh.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "identifiers/identifiers.hpp"
#include "support_mail.hpp"

namespace {

using gdpr::identifiers::normalize;

void normalize_values(benchmark::State& state, std::vector<std::string> values) {
  gdpr::identifiers::warm_up();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(normalize(values[i], "SK"));
    i = (i + 1) % values.size();
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(normalize_values, email,
                  {"jane@example.com", " Jana.Novakova@Example.SK ", "p+x@firma.sk"});
BENCHMARK_CAPTURE(normalize_values, phone,
                  {"+421 905 123 456", "0905/123-456", "(0905) 123 456", "00421905123456", "02/5939 5111"});
BENCHMARK_CAPTURE(normalize_values, iban, {"SK31 1200 0000 1987 4263 7541", "DE89370400440532013000"});
BENCHMARK_CAPTURE(normalize_values, date, {"1984-03-17", "17.03.1984", "17/03/1984"});
BENCHMARK_CAPTURE(normalize_values, literal, {"Jana Nováková", "AB-12345-X", "Obchodná 12, Bratislava"});
// The mix a subject column or a DPO's input produces.
BENCHMARK_CAPTURE(normalize_values, mixed,
                  {"jane@example.com", "+421 905 123 456", "0905/123-456", "Jana Nováková",
                   "SK31 1200 0000 1987 4263 7541", "1984-03-17"});

void find_in_text_bytes(benchmark::State& state, std::string text) {
  gdpr::identifiers::warm_up();
  std::size_t found = 0;
  for (auto _ : state) {
    auto matches = gdpr::identifiers::find_in_text(text, "SK");
    found = matches.size();
    benchmark::DoNotOptimize(matches);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["matches"] = static_cast<double>(found);
}

BENCHMARK_CAPTURE(find_in_text_bytes, one_message_300B, std::string(gdpr::bench::kSupportMessages[0]));
BENCHMARK_CAPTURE(find_in_text_bytes, support_mail_64KiB, gdpr::bench::support_mail(64 << 10));
BENCHMARK_CAPTURE(find_in_text_bytes, support_mail_1MiB, gdpr::bench::support_mail(1 << 20))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(find_in_text_bytes, prose_without_digits_64KiB, [] {
  std::string text;
  while (text.size() < (64 << 10)) text += gdpr::bench::kSupportMessages[2];
  return text;
}());

void redact_bytes(benchmark::State& state) {
  gdpr::identifiers::warm_up();
  std::string text = gdpr::bench::support_mail(64 << 10);
  for (auto _ : state) benchmark::DoNotOptimize(gdpr::identifiers::redact(text, "SK"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(redact_bytes);

}  // namespace

BENCHMARK_MAIN();
