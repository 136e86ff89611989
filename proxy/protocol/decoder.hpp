#pragma once
// Incremental decoder for one direction of a PostgreSQL connection.
//
// The decoder owns no buffer. The caller hands it the bytes it has; each call
// to decode() takes at most one step (one packet, one message header or one
// slice of a large body), reports it to the sink and says how many bytes it
// consumed. Unconsumed bytes must be presented again, with more appended.
// Large bodies are never accumulated: after the header the body is delivered
// in whatever slices arrive, so a 500 MB DataRow costs no more memory than a
// small one.
//
// States (frontend): startup -> [tls_negotiation -> startup]* -> in_sync,
// or -> stopped after a CancelRequest or any protocol violation.
// The backend decoder starts in_sync.

#include <cstddef>
#include <cstdint>

#include "protocol/message_table.hpp"
#include "protocol/protocol_error.hpp"
#include "protocol/startup.hpp"
#include "protocol/wire.hpp"

namespace gdpr::proxy::protocol {

enum class DecoderState : std::uint8_t { startup, tls_negotiation, in_sync, stopped };

enum class DecodeResult : std::uint8_t {
  NeedMoreData,  // nothing more can be decoded from these bytes; read more
  ReadyForNext,  // a step was made; call again with the remaining bytes
  Stopped,       // the stream is finished (cancel request) or broken (error reported)
};

struct MessageHeader {
  const MessageFormat* format;  // never null
  std::uint32_t body_length;    // the length word minus its own 4 bytes
};

inline constexpr std::size_t kMessageHeaderSize = 5;

class DecoderSink {
 public:
  virtual ~DecoderSink() = default;
  // A complete startup-phase packet; `raw` includes the length word.
  virtual void on_startup(const StartupRequest& request, wire::ByteView raw) = 0;
  // A complete typed message that was entirely available; `raw` = header + body.
  virtual void on_message(const MessageHeader& header, wire::ByteView raw) = 0;
  // The 5 header bytes of a message whose body follows in on_body() slices.
  virtual void on_message_start(const MessageHeader& header, wire::ByteView raw_header) = 0;
  virtual void on_body(wire::ByteView slice) = 0;
  virtual void on_message_end() = 0;
  // The decoder is now stopped.
  virtual void on_error(const ProtocolError& error) = 0;
};

struct DecodeStep {
  DecodeResult result;
  std::size_t consumed;
};

class Decoder {
 public:
  Decoder(Direction direction, std::uint32_t max_message_bytes);

  DecodeStep decode(wire::ByteView input, DecoderSink& sink);

  // After SSLRequest/GSSENCRequest the session answers; then the client sends a
  // fresh startup packet (over TLS or not).
  void resume_startup();

  DecoderState state() const { return state_; }
  Direction direction() const { return direction_; }
  bool in_message() const { return body_remaining_ > 0; }

 private:
  DecodeStep decode_startup(wire::ByteView input, DecoderSink& sink);
  DecodeStep decode_typed(wire::ByteView input, DecoderSink& sink);
  DecodeStep fail(DecoderSink& sink, ProtocolError error);

  Direction direction_;
  std::uint32_t max_message_bytes_;
  DecoderState state_;
  std::uint64_t body_remaining_ = 0;
};

std::string_view state_name(DecoderState state);

}  // namespace gdpr::proxy::protocol
