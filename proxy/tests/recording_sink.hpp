#pragma once
// Test double for DecoderSink that records what the decoder reported, plus a
// driver that feeds a decoder the way the relay does (keep unconsumed bytes,
// append the next read).

#include <string>
#include <vector>

#include "protocol/decoder.hpp"

namespace gdpr::proxy::testing {

struct RecordedMessage {
  char type;
  std::string name;
  wire::Bytes raw;  // header + body, reassembled from slices when streamed
  bool streamed = false;
};

class RecordingSink final : public protocol::DecoderSink {
 public:
  void on_startup(const protocol::StartupRequest& request, wire::ByteView raw) override {
    startups.push_back(request);
    forwarded.insert(forwarded.end(), raw.begin(), raw.end());
  }
  void on_message(const protocol::MessageHeader& header, wire::ByteView raw) override {
    messages.push_back(
        {header.format->type, std::string(header.format->name), {raw.begin(), raw.end()}, false});
    forwarded.insert(forwarded.end(), raw.begin(), raw.end());
  }
  void on_message_start(const protocol::MessageHeader& header, wire::ByteView raw) override {
    open = RecordedMessage{
        header.format->type, std::string(header.format->name), {raw.begin(), raw.end()}, true};
    forwarded.insert(forwarded.end(), raw.begin(), raw.end());
  }
  void on_body(wire::ByteView slice) override {
    largest_slice = std::max(largest_slice, slice.size());
    open.raw.insert(open.raw.end(), slice.begin(), slice.end());
    forwarded.insert(forwarded.end(), slice.begin(), slice.end());
  }
  void on_message_end() override { messages.push_back(std::move(open)); }
  void on_error(const protocol::ProtocolError& error) override { errors.push_back(error); }

  std::vector<protocol::StartupRequest> startups;
  std::vector<RecordedMessage> messages;
  std::vector<protocol::ProtocolError> errors;
  wire::Bytes forwarded;
  std::size_t largest_slice = 0;

 private:
  RecordedMessage open;
};

// Feeds `chunks` one after another, as successive reads; returns the last result.
// `pending` is what a caller would still hold (undecoded bytes).
struct FeedOutcome {
  protocol::DecodeResult result;
  wire::Bytes pending;
};

inline FeedOutcome feed(protocol::Decoder& decoder, protocol::DecoderSink& sink,
                        const std::vector<wire::Bytes>& chunks) {
  wire::Bytes pending;
  protocol::DecodeResult result = protocol::DecodeResult::NeedMoreData;
  for (const auto& chunk : chunks) {
    pending.insert(pending.end(), chunk.begin(), chunk.end());
    std::size_t offset = 0;
    for (;;) {
      const auto step =
          decoder.decode(wire::ByteView(pending.data() + offset, pending.size() - offset), sink);
      offset += step.consumed;
      result = step.result;
      if (result != protocol::DecodeResult::ReadyForNext) break;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(offset));
    if (result == protocol::DecodeResult::Stopped) break;
  }
  return {result, pending};
}

// A typed message with the given body.
inline wire::Bytes typed(char type, const std::string& body) {
  wire::MessageBuilder builder(type);
  builder.body().bytes(wire::ByteView(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  return std::move(builder).finish();
}

inline wire::Bytes concat(std::initializer_list<wire::Bytes> parts) {
  wire::Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace gdpr::proxy::testing
