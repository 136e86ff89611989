#pragma once
// A read-only tap on a relay: sees each message as it is decoded and each
// batch as it is written, and can change nothing. Metrics hang off it
// (metrics/session_metrics.hpp), so the relay itself knows no counters.

#include <cstddef>

#include "protocol/wire.hpp"

namespace gdpr::proxy {

class RelayObserver {
 public:
  virtual ~RelayObserver() = default;
  // A message starts. `raw` is the whole message when it was complete in the
  // read buffer, otherwise its 5-byte header only (the body streams past).
  virtual void on_message(wire::ByteView raw) = 0;
  // `bytes` went out to the receiving peer.
  virtual void on_forwarded(std::size_t bytes) = 0;
};

}  // namespace gdpr::proxy
