// Start-up of the retention room: its GUCs and, when loaded through
// shared_preload_libraries, the launcher background worker.
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "utils/guc.h"
}

#include <climits>
#include <cstring>

#include "retention/retention.hpp"

namespace gdpr::retention {

namespace settings {
bool enabled = true;
int interval_s = 3600;
int batch_size = 10000;
}  // namespace settings

namespace {

void define_retention_settings() {
  DefineCustomBoolVariable("gdpr.retention_enabled",
                           "Runs retention in the background in every database that has the extension.",
                           nullptr, &settings::enabled, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  // Seconds; at most a week, so the launcher's wait in milliseconds fits an int.
  DefineCustomIntVariable("gdpr.retention_interval", "Time between two background retention runs.",
                          "Each run deletes or anonymises the rows whose retention period has passed.",
                          &settings::interval_s, 3600, 1, 7 * 24 * 3600, PGC_SIGHUP, GUC_UNIT_S, nullptr,
                          nullptr, nullptr);
  DefineCustomIntVariable("gdpr.retention_batch_size", "Rows a retention run removes per transaction.",
                          "Smaller batches hold locks for less time; larger ones commit less often.",
                          &settings::batch_size, 10000, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr,
                          nullptr);
}

// Cannot ereport in a way that leaves anything half-done: RegisterBackgroundWorker
// only copies the struct (it FATALs when called outside preloading, which we avoid).
void register_launcher() {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = 10;  // after a crash of the launcher itself
  std::strncpy(worker.bgw_library_name, "gdpr", BGW_MAXLEN - 1);
  std::strncpy(worker.bgw_function_name, "gdpr_retention_launcher_main", BGW_MAXLEN - 1);
  std::strncpy(worker.bgw_name, "gdpr retention launcher", BGW_MAXLEN - 1);
  std::strncpy(worker.bgw_type, "gdpr retention launcher", BGW_MAXLEN - 1);
  RegisterBackgroundWorker(&worker);
}

}  // namespace

void init_retention() {
  define_retention_settings();
  if (!process_shared_preload_libraries_in_progress) return;
  register_launcher();
}

}  // namespace gdpr::retention
