// SIGTERM for the extension's background workers (audit writer, retention
// launcher and workers): the handler only records the request and wakes the
// latch; each worker checks shutdown_requested at its own safe points (between
// batches, after a wait) and exits cleanly. One flag serves all of them: every
// background worker is a process of its own.
#pragma once

#include <csignal>

namespace gdpr::pg {

extern volatile std::sig_atomic_t shutdown_requested;

// Install with pqsignal(SIGTERM, gdpr::pg::request_shutdown).
void request_shutdown(int signal_number);

}  // namespace gdpr::pg
