#include "interrupt.hpp"

#include <atomic>
#include <csignal>

namespace gdprctl::interrupt {
namespace {
std::atomic<PGcancel*> cancel_handle{nullptr};
volatile std::sig_atomic_t signalled = 0;

extern "C" void on_signal(int) {
  signalled = 1;
  if (PGcancel* c = cancel_handle.load()) {
    char errbuf[256];
    PQcancel(c, errbuf, sizeof errbuf);
  }
}
}  // namespace

void arm(PGconn* conn) {
  disarm();
  cancel_handle.store(PQgetCancel(conn));
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void disarm() {
  if (PGcancel* c = cancel_handle.exchange(nullptr)) PQfreeCancel(c);
}

bool requested() { return signalled != 0; }
}  // namespace gdprctl::interrupt
