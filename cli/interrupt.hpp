#pragma once
// Ctrl-C during a long request: the server is asked to cancel the running
// statement (PQcancel is async-signal-safe), so the command fails with
// SQLSTATE 57014, cleans up its partial output, and exits with
// exit_code::cancelled instead of leaving a half-written file behind.

#include <libpq-fe.h>

namespace gdprctl::interrupt {
// Installs the SIGINT/SIGTERM handler for this connection (once per process).
void arm(PGconn* conn);
// Forgets the connection (before it is closed).
void disarm();
// True once a signal has arrived.
bool requested();
}  // namespace gdprctl::interrupt
