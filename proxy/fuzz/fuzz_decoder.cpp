// libFuzzer target: arbitrary bytes through the decoder, in both directions,
// split into reads at points chosen by the input itself. Besides "no crash,
// no sanitizer report" it checks the decoder's contract: every byte reported
// to the sink is a byte of the input in order, a stopped decoder stays
// stopped, and every error carries a five-character SQLSTATE.

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocol/decoder.hpp"

namespace {

using namespace gdpr::proxy;

class CheckingSink final : public protocol::DecoderSink {
 public:
  void on_startup(const protocol::StartupRequest&, wire::ByteView raw) override { append(raw); }
  void on_message(const protocol::MessageHeader& header, wire::ByteView raw) override {
    if (raw.size() != protocol::kMessageHeaderSize + header.body_length) std::abort();
    append(raw);
  }
  void on_message_start(const protocol::MessageHeader& header, wire::ByteView raw) override {
    if (raw.size() != protocol::kMessageHeaderSize || header.format == nullptr) std::abort();
    append(raw);
  }
  void on_body(wire::ByteView slice) override {
    if (slice.empty()) std::abort();
    append(slice);
  }
  void on_message_end() override {}
  void on_error(const protocol::ProtocolError& error) override {
    if (error.sqlstate.size() != 5 || error.message.empty()) std::abort();
    ++errors;
  }

  std::vector<std::uint8_t> seen;
  int errors = 0;

 private:
  void append(wire::ByteView bytes) { seen.insert(seen.end(), bytes.begin(), bytes.end()); }
};

void run(protocol::Direction direction, const std::uint8_t* data, std::size_t size, std::size_t split_seed) {
  protocol::Decoder decoder(direction, 1u << 16);
  CheckingSink sink;
  std::vector<std::uint8_t> pending;
  std::size_t fed = 0;
  std::size_t consumed_total = 0;
  while (fed < size) {
    const std::size_t chunk = 1 + (split_seed + fed * 7) % 61;
    const std::size_t n = chunk < size - fed ? chunk : size - fed;
    pending.insert(pending.end(), data + fed, data + fed + n);
    fed += n;
    std::size_t offset = 0;
    protocol::DecodeStep step{protocol::DecodeResult::ReadyForNext, 0};
    while (step.result == protocol::DecodeResult::ReadyForNext) {
      step = decoder.decode(wire::ByteView(pending.data() + offset, pending.size() - offset), sink);
      if (step.consumed > pending.size() - offset) std::abort();
      offset += step.consumed;
      // The session answers SSL/GSS requests, then start-up continues.
      if (decoder.state() == protocol::DecoderState::tls_negotiation && offset == pending.size())
        decoder.resume_startup();
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(offset));
    consumed_total += offset;
    if (step.result == protocol::DecodeResult::Stopped) {
      if (decoder.state() != protocol::DecoderState::stopped) std::abort();
      const auto again = decoder.decode(wire::ByteView(pending.data(), pending.size()), sink);
      if (again.result != protocol::DecodeResult::Stopped || again.consumed != 0) std::abort();
      break;
    }
  }
  // What the sink saw is exactly the consumed prefix of the input.
  if (sink.seen.size() != consumed_total) std::abort();
  for (std::size_t i = 0; i < consumed_total; ++i) {
    if (sink.seen[i] != data[i]) std::abort();
  }
  if (sink.errors > 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t split_seed = data[0];
  run(protocol::Direction::frontend, data + 1, size - 1, split_seed);
  run(protocol::Direction::backend, data + 1, size - 1, split_seed);
  return 0;
}
