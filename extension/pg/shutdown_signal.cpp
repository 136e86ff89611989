extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "storage/latch.h"
}

#include <cerrno>

#include "pg/shutdown_signal.hpp"

namespace gdpr::pg {

volatile std::sig_atomic_t shutdown_requested = 0;

void request_shutdown(int /*signal_number*/) {
  const int saved_errno = errno;  // a signal handler must not change errno
  shutdown_requested = 1;
  SetLatch(MyLatch);
  errno = saved_errno;
}

}  // namespace gdpr::pg
