#include "server/relay.hpp"

#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "server/relay_buffer.hpp"

namespace gdpr::proxy {
namespace {

// Collects what one batch of decoded input turns into: slices of the read
// buffer forwarded as they are, plus replacement messages owned here. The
// whole batch then goes out in one gathered write.
class ForwardingSink final : public protocol::DecoderSink {
 public:
  explicit ForwardingSink(MessageInterceptor* interceptor) : interceptor_(interceptor) {}

  void on_startup(const protocol::StartupRequest&, wire::ByteView) override {
    // A relay only runs after start-up; the decoder is in_sync and never calls this.
    error = protocol::ProtocolError{protocol::sqlstate::kProtocolViolation, "unexpected startup packet", {}};
  }
  void on_message(const protocol::MessageHeader& header, wire::ByteView raw) override {
    if (observer) observer->on_message(raw);
    ++messages;
    last_type = raw[0];
    if (interceptor_ != nullptr && interceptor_->wants_whole(raw[0])) {
      if (raw.size() > interceptor_->max_whole_bytes()) {
        owned.push_back(interceptor_->oversized(header));
        forward(owned.back());
        return;
      }
    }
    if (interceptor_ != nullptr &&
        (header.format->access == protocol::BodyAccess::whole || interceptor_->wants_whole(raw[0]))) {
      if (auto replacement = interceptor_->intercept(header, raw)) {
        owned.push_back(std::move(*replacement));
        forward(owned.back());
        return;
      }
    }
    forward(raw);
  }
  void on_message_start(const protocol::MessageHeader& header, wire::ByteView raw_header) override {
    if (observer) observer->on_message(raw_header);
    current_type = raw_header[0];
    collecting_ = Collecting::no;
    if (interceptor_ != nullptr && interceptor_->wants_whole(current_type)) {
      current_header_ = header;
      if (protocol::kMessageHeaderSize + header.body_length > interceptor_->max_whole_bytes()) {
        collecting_ = Collecting::discarding;
      } else {
        collecting_ = Collecting::collecting;
        collected_.assign(raw_header.begin(), raw_header.end());
        collected_.reserve(protocol::kMessageHeaderSize + header.body_length);
      }
      return;
    }
    forward(raw_header);
  }
  void on_body(wire::ByteView slice) override {
    if (collecting_ == Collecting::collecting) {
      collected_.insert(collected_.end(), slice.begin(), slice.end());
    } else if (collecting_ == Collecting::no) {
      forward(slice);
    }
  }
  void on_message_end() override {
    ++messages;
    last_type = current_type;
    if (collecting_ == Collecting::discarding) {
      owned.push_back(interceptor_->oversized(current_header_));
      forward(owned.back());
    } else if (collecting_ == Collecting::collecting) {
      auto replacement = interceptor_->intercept(current_header_, collected_);
      owned.push_back(replacement ? std::move(*replacement) : std::move(collected_));
      forward(owned.back());
      collected_ = {};
    }
    collecting_ = Collecting::no;
  }
  void on_error(const protocol::ProtocolError& e) override { error = e; }

  void clear() {
    out.clear();
    owned.clear();
  }

  std::vector<asio::const_buffer> out;
  std::deque<wire::Bytes> owned;
  std::optional<protocol::ProtocolError> error;
  std::uint64_t messages = 0;
  std::uint8_t last_type = 0;
  RelayObserver* observer = nullptr;

 private:
  void forward(wire::ByteView bytes) {
    // Adjacent slices of the read buffer merge into one iovec.
    if (!out.empty()) {
      auto& last = out.back();
      if (static_cast<const std::uint8_t*>(last.data()) + last.size() == bytes.data()) {
        last = asio::const_buffer(last.data(), last.size() + bytes.size());
        return;
      }
    }
    out.emplace_back(bytes.data(), bytes.size());
  }

  enum class Collecting : std::uint8_t { no, collecting, discarding };

  MessageInterceptor* interceptor_;
  std::uint8_t current_type = 0;
  // A wanted streamed message being gathered across reads.
  Collecting collecting_ = Collecting::no;
  protocol::MessageHeader current_header_{};
  wire::Bytes collected_;
};

}  // namespace

asio::awaitable<RelayResult> Relay::run(wire::Bytes pending) {
  RelayResult& result = progress_;
  ForwardingSink sink(interceptor_);
  sink.observer = observer_;
  // Held only while bytes are in flight: an idle session holds no buffer.
  static_assert(kPooledBufferSize == kRelayBufferSize);
  RelayBuffer buffer;
  std::size_t filled = 0;
  if (pending.size() > kRelayBufferSize) {
    result.end = RelayEnd::protocol_error;
    result.error = protocol::ProtocolError{
        protocol::sqlstate::kProtocolViolation, "too much data before start-up finished", {}};
    co_return result;
  }
  if (!pending.empty()) {
    buffer.acquire();
    std::memcpy(buffer.get(), pending.data(), pending.size());
  }
  filled = pending.size();
  wire::Bytes().swap(pending);  // its capacity would stay in the coroutine frame

  auto finish = [&](RelayEnd end) {
    result.end = end;
    result.messages = sink.messages;
    result.last_message_type = sink.last_type;
    result.ended_mid_message = decoder_.in_message();
    return result;
  };

  for (;;) {
    std::size_t offset = 0;
    protocol::DecodeStep step{protocol::DecodeResult::ReadyForNext, 0};
    sink.clear();
    while (step.result == protocol::DecodeResult::ReadyForNext) {
      step = decoder_.decode(wire::ByteView(buffer.get() + offset, filled - offset), sink);
      offset += step.consumed;
    }
    result.messages = sink.messages;
    result.last_message_type = sink.last_type;
    if (!sink.out.empty()) {
      auto [ec, written] = co_await to_.write(sink.out);
      result.bytes += written;
      if (observer_) observer_->on_forwarded(written);
      if (ec) {
        result.io_error = ec;
        co_return finish(RelayEnd::destination_failed);
      }
    }
    if (step.result == protocol::DecodeResult::Stopped) {
      result.error = sink.error;
      co_return finish(RelayEnd::protocol_error);
    }
    if (offset > 0 && offset < filled) std::memmove(buffer.get(), buffer.get() + offset, filled - offset);
    filled -= offset;
    if (filled == kRelayBufferSize) {
      // Unreachable by construction (see kRelayBufferSize); fail closed if it ever is.
      result.error = protocol::ProtocolError{
          protocol::sqlstate::kProtocolViolation, "message does not fit the relay buffer", {}};
      co_return finish(RelayEnd::protocol_error);
    }
    auto [ec, n] = co_await read_into(from_, buffer, filled);
    if (ec) {
      result.io_error = ec;
      co_return finish(RelayEnd::source_closed);
    }
    filled += n;
  }
}

}  // namespace gdpr::proxy
