#include "metrics/session_metrics.hpp"

#include "protocol/decoder.hpp"
#include "protocol/messages.hpp"

namespace gdpr::proxy::metrics {

void SessionMetrics::Direction::on_message(wire::ByteView raw) {
  // The decoder hands over at least the header, so raw[0] is the type.
  if (from_client_) {
    owner_.client_message(raw[0], Clock::now());
  } else if (raw[0] == 'Z' || raw[0] == 'E') {
    // Only these two matter on the server side; skip the clock for DataRows.
    owner_.server_message(raw, Clock::now());
  }
}

void SessionMetrics::Direction::on_forwarded(std::size_t bytes) {
  (from_client_ ? owner_.registry_.bytes_client_to_server : owner_.registry_.bytes_server_to_client)
      .add(bytes);
}

void SessionMetrics::client_message(std::uint8_t type, Clock::time_point now) {
  switch (type) {
    case 'Q':  // simple query: counted, and answered by one ReadyForQuery
      registry_.queries_total.add();
      break;
    case 'E':  // Execute: counted; its ReadyForQuery follows the next Sync
      registry_.queries_total.add();
      return;
    case 'S':  // Sync and FunctionCall are answered by one ReadyForQuery each
    case 'F':
      break;
    default:
      return;
  }
  // Once a request went untimed, newer ones must not jump ahead of it in the ring.
  if (untimed_ == 0 && timed_ < kMaxTimed) {
    started_[(head_ + timed_) % kMaxTimed] = now;
    ++timed_;
  } else {
    ++untimed_;
  }
}

void SessionMetrics::server_message(wire::ByteView raw, Clock::time_point now) {
  if (raw[0] == 'E') {
    // An error before the first ReadyForQuery is PostgreSQL refusing the
    // start-up; class 28 means the login itself (role, password, pg_hba).
    if (started_up_ || raw.size() <= protocol::kMessageHeaderSize) return;
    const auto error = protocol::ErrorResponse::parse(raw.subspan(protocol::kMessageHeaderSize));
    if (error && error->sqlstate.starts_with("28")) registry_.auth_failures_server.add();
    return;
  }
  if (!started_up_) {
    started_up_ = true;
    return;
  }
  if (timed_ > 0) {
    registry_.query_duration.observe(now - started_[head_]);
    head_ = (head_ + 1) % kMaxTimed;
    --timed_;
  } else if (untimed_ > 0) {
    --untimed_;
  }
}

}  // namespace gdpr::proxy::metrics
