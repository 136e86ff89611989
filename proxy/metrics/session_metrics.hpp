#pragma once
// One session's feed into the metrics registry: two relay observers (client
// and server direction) that count queries and bytes, time each query from
// the client's Query/Sync/FunctionCall to the server's ReadyForQuery, and
// notice a login PostgreSQL refuses. Both directions of a session run on one
// thread, so the state shared between them needs no synchronisation; only
// the registry's counters are shared (relaxed atomics).

#include <array>
#include <chrono>
#include <cstdint>

#include "metrics/registry.hpp"
#include "server/relay_observer.hpp"

namespace gdpr::proxy::metrics {

class SessionMetrics {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionMetrics(Registry& registry)
      : registry_(registry), client_(*this, true), server_(*this, false) {}
  SessionMetrics(const SessionMetrics&) = delete;
  SessionMetrics& operator=(const SessionMetrics&) = delete;

  RelayObserver& client_to_server() { return client_; }
  RelayObserver& server_to_client() { return server_; }

  // Requests waiting for their ReadyForQuery (beyond kMaxTimed, only counted).
  std::size_t outstanding() const { return timed_ + untimed_; }
  // Pipelined requests deeper than this are not timed (their ReadyForQuery
  // still pairs with the right request): a fixed ring keeps an idle session small.
  static constexpr std::size_t kMaxTimed = 64;

  // The clock is a parameter so tests can drive it.
  void client_message(std::uint8_t type, Clock::time_point now);
  void server_message(wire::ByteView raw, Clock::time_point now);

 private:
  class Direction final : public RelayObserver {
   public:
    Direction(SessionMetrics& owner, bool from_client) : owner_(owner), from_client_(from_client) {}
    void on_message(wire::ByteView raw) override;
    void on_forwarded(std::size_t bytes) override;

   private:
    SessionMetrics& owner_;
    bool from_client_;
  };

  Registry& registry_;
  Direction client_;
  Direction server_;
  // FIFO of start times of requests awaiting ReadyForQuery: a ring of the
  // oldest kMaxTimed, then a count of newer untimed ones.
  std::array<Clock::time_point, kMaxTimed> started_{};
  std::size_t head_ = 0;
  std::size_t timed_ = 0;
  std::size_t untimed_ = 0;
  // The first ReadyForQuery ends the start-up, not a request.
  bool started_up_ = false;
};

}  // namespace gdpr::proxy::metrics
