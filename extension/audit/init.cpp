// Start-up of the audit room: its GUCs, and (only under
// shared_preload_libraries, where shared memory can be requested) the queue
// and the executor hooks. Loaded any other way the extension works but does
// not audit; gdpr.audit_flush() and gdpr_audit_verify() say so.
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"
#include "utils/queryjumble.h"
}

#include <climits>

#include "audit/audit.hpp"
#include "audit/audit_settings.hpp"
#include "audit/queue.hpp"

namespace gdpr::audit::settings {
bool sync = false;
int flush_ms = 200;
int queue_kb = 1024;
int max_keys = 1000;
int retention_min = 400 * 24 * 60;
}  // namespace gdpr::audit::settings

namespace gdpr::audit {

namespace {

shmem_request_hook_type prev_shmem_request = nullptr;
shmem_startup_hook_type prev_shmem_startup = nullptr;

void audit_shmem_request() {
  if (prev_shmem_request != nullptr) prev_shmem_request();
  queue::request_shared_memory();
}

void audit_shmem_startup() {
  if (prev_shmem_startup != nullptr) prev_shmem_startup();
  queue::attach_shared_memory();
}

void define_audit_settings() {
  DefineCustomBoolVariable("gdpr.audit_sync",
                           "Statements wait until their audit events are committed to gdpr.audit_log.",
                           nullptr, &settings::sync, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "gdpr.audit_flush_ms", "How often the audit writer commits queued events.",
      "After an immediate shutdown or a crash, at most this much of the latest events may be "
      "missing.",
      &settings::flush_ms, 200, 10, 60000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "gdpr.audit_queue_kb", "Shared-memory audit queue per database.",
      "When it is full, statements wait for the writer (back-pressure); no event is dropped.",
      &settings::queue_kb, 1024, 64, 1024 * 1024, PGC_POSTMASTER, GUC_UNIT_KB, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "gdpr.audit_max_keys", "Row-key entries one audit event keeps per relation.",
      "Integer keys beyond it are merged into wider ranges (a superset); other keys are cut off "
      "and the event says its key list is incomplete.",
      &settings::max_keys, 1000, 1, 1000000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("gdpr.audit_retention", "How long gdpr.audit_log keeps events (0: for ever).",
                          "The writer drops whole daily partitions (UTC) that ended longer ago than this; "
                          "gdpr_audit_verify() then starts from the last dropped event's checkpoint.",
                          &settings::retention_min, 400 * 24 * 60, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MIN,
                          nullptr, nullptr, nullptr);
}

}  // namespace

void init_audit() {
  define_audit_settings();
  if (!process_shared_preload_libraries_in_progress) return;
  prev_shmem_request = shmem_request_hook;
  shmem_request_hook = audit_shmem_request;
  prev_shmem_startup = shmem_startup_hook;
  shmem_startup_hook = audit_shmem_startup;
  install_executor_hooks();
  // Events carry the statement's query id (as pg_stat_statements shows it).
  EnableQueryId();
}

}  // namespace gdpr::audit
