#pragma once
// Relays one direction of a session, message by message, through the decoder:
// every message is framed and length-checked before a byte of it is
// forwarded, large bodies stream through in buffer-sized slices, and messages
// the table marks `whole` are offered to an interceptor that may replace them.
// An interceptor may also ask for streamed types whole (the rewriter needs
// every Query and Parse): those are collected up to its size limit, and one
// that is larger is not forwarded at all but replaced by what oversized()
// returns (fail closed: a statement too long to check is never sent).

#include <cstdint>
#include <optional>

#include "protocol/decoder.hpp"
#include "server/relay_observer.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {

class MessageInterceptor {
 public:
  virtual ~MessageInterceptor() = default;
  // Replacement bytes for a complete `whole` message, or nullopt to forward `raw`.
  virtual std::optional<wire::Bytes> intercept(const protocol::MessageHeader& header, wire::ByteView raw) = 0;
  // Streamed message types this interceptor needs whole.
  virtual bool wants_whole(std::uint8_t /*type*/) const { return false; }
  // The largest message (header included) collected for wants_whole().
  virtual std::size_t max_whole_bytes() const { return 0; }
  // What to send instead of a wanted message larger than max_whole_bytes().
  virtual wire::Bytes oversized(const protocol::MessageHeader& /*header*/) { return {}; }
};

enum class RelayEnd : std::uint8_t {
  source_closed,       // the sending peer closed or reset its connection (or we closed it)
  destination_failed,  // writing to the receiving peer failed
  protocol_error,      // the sender broke the protocol; `error` says how
};

struct RelayResult {
  RelayEnd end = RelayEnd::source_closed;
  error_code io_error;
  std::optional<protocol::ProtocolError> error;
  std::uint64_t bytes = 0;
  std::uint64_t messages = 0;
  // Type of the last complete message relayed (0 before the first): tells a
  // clean Terminate or a server FATAL apart from a vanished peer.
  std::uint8_t last_message_type = 0;
  bool ended_mid_message = false;
};

// The read buffer; large enough for any `whole` message plus its header.
inline constexpr std::size_t kRelayBufferSize = 64 * 1024;
static_assert(kRelayBufferSize > protocol::kMaxWholeBody + protocol::kMessageHeaderSize);

class Relay {
 public:
  Relay(Transport& from, Transport& to, protocol::Decoder& decoder, MessageInterceptor* interceptor)
      : from_(from), to_(to), decoder_(decoder), interceptor_(interceptor) {}

  // `pending` holds bytes already read from `from` but not yet decoded.
  asio::awaitable<RelayResult> run(wire::Bytes pending);

  // What has been relayed so far; read by the session while the other direction runs.
  const RelayResult& progress() const { return progress_; }

  // A read-only tap (metrics); set before run().
  void set_observer(RelayObserver* observer) { observer_ = observer; }

 private:
  RelayResult progress_;
  Transport& from_;
  Transport& to_;
  protocol::Decoder& decoder_;
  MessageInterceptor* interceptor_;
  RelayObserver* observer_ = nullptr;
};

}  // namespace gdpr::proxy
