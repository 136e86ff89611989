// The retention launcher: one background worker per cluster (registered at
// preload) that every gdpr.retention_interval starts one short-lived worker
// per connectable database (worker.cpp), one after the other, as autovacuum's
// launcher does. A worker finds out itself whether its
// database has the extension and exits at once when not, so the launcher needs
// no registry and never connects to a database (it reads the shared catalog
// pg_database only).
//
// Everything here is plain PostgreSQL C: no C++ object is alive in this file,
// so an ereport anywhere skips no destructor. An ERROR ends the launcher
// (FATAL in a background worker); the postmaster starts it again 10 s later.
// SIGTERM sets a flag and the latch; the loops below check both, so the
// launcher stops between waits, never in the middle of starting workers.
extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PGDLLEXPORT void gdpr_retention_launcher_main(Datum main_arg);
}

#include <csignal>
#include <cstdio>
#include <cstring>

#include "pg/shutdown_signal.hpp"
#include "retention/retention.hpp"

namespace gdpr::retention {

namespace {

constexpr int kMaxDatabases = 1024;

// Sleeps until the latch is set or `ms` pass; absorbs interrupts (ProcSignal
// barriers of DROP DATABASE among them) and configuration reloads.
void wait_a_while(long ms) {
  (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
  ResetLatch(MyLatch);
  CHECK_FOR_INTERRUPTS();
  if (ConfigReloadPending) {
    ConfigReloadPending = false;
    ProcessConfigFile(PGC_SIGHUP);
  }
}

// Connectable, non-template databases, from the shared catalog.
int list_databases(Oid* out, int max) {
  int n = 0;
  StartTransactionCommand();
  (void)GetTransactionSnapshot();
  Relation rel = table_open(DatabaseRelationId, AccessShareLock);
  TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
  HeapTuple tuple;
  while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr && n < max) {
    const auto* db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
    if (db->datallowconn && !db->datistemplate) out[n++] = db->oid;
  }
  table_endscan(scan);
  table_close(rel, AccessShareLock);
  CommitTransactionCommand();
  return n;
}

BackgroundWorkerHandle* start_worker(Oid database) {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  std::strncpy(worker.bgw_library_name, "gdpr", BGW_MAXLEN - 1);
  std::strncpy(worker.bgw_function_name, "gdpr_retention_worker_main", BGW_MAXLEN - 1);
  std::snprintf(worker.bgw_name, BGW_MAXLEN, "gdpr retention worker (database %u)", database);
  std::strncpy(worker.bgw_type, "gdpr retention worker", BGW_MAXLEN - 1);
  worker.bgw_main_arg = ObjectIdGetDatum(database);
  worker.bgw_notify_pid = MyProcPid;  // our latch is set when it starts and stops
  BackgroundWorkerHandle* handle = nullptr;
  if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
    ereport(WARNING, (errmsg("gdpr retention: no free background worker slot for database %u", database),
                      errhint("Raise max_worker_processes; this database is retried next round.")));
    return nullptr;
  }
  return handle;
}

// One round: a worker for every database, one database at a time, so a
// round takes at most one background worker slot (the audit writers need
// theirs: max_worker_processes is shared).
void run_round() {
  static Oid databases[kMaxDatabases];
  const int n = list_databases(databases, kMaxDatabases);
  for (int i = 0; i < n && !pg::shutdown_requested; i++) {
    BackgroundWorkerHandle* handle = start_worker(databases[i]);
    if (handle == nullptr) continue;
    for (;;) {
      pid_t pid;
      if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED) break;
      if (pg::shutdown_requested) break;  // the postmaster stops the worker too
      wait_a_while(1000);
    }
    pfree(handle);
  }
}

}  // namespace

}  // namespace gdpr::retention

void gdpr_retention_launcher_main(Datum /*main_arg*/) {
  using namespace gdpr::retention;
  pqsignal(SIGTERM, gdpr::pg::request_shutdown);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);  // shared catalogs only
  pgstat_report_appname("gdpr retention launcher");

  TimestampTz last_round = 0;
  while (!gdpr::pg::shutdown_requested) {
    const TimestampTz now = GetCurrentTimestamp();
    const long interval_ms = static_cast<long>(settings::interval_s) * 1000L;
    if (last_round == 0 || TimestampDifferenceExceeds(last_round, now, static_cast<int>(interval_ms))) {
      last_round = now;
      if (settings::enabled) run_round();
      continue;
    }
    // Wake at the next round (recomputed after a reload changes the interval).
    const long left = interval_ms - static_cast<long>((now - last_round) / 1000);
    wait_a_while(left > 0 ? left : 1);
  }
  proc_exit(0);
}
