// The per-database retention worker, started by the launcher once per round.
// It runs one retention run the way CALL gdpr_apply_retention() does
// (sql/extension/50_retention.sql): gdpr._retention_start, then
// gdpr._retention_step once per batch, each in its own transaction, then
// gdpr._retention_finish, which records the run in gdpr.retention_runs; it
// logs the run's summary line and exits. A database without the extension
// costs one catalog look-up.
//
// Error handling: each transaction runs inside PG_TRY in run_sql(), a frame
// that holds only plain C data (no C++ object with a destructor is alive in
// this file), so the longjmp skips nothing. A failed batch is rolled back, the
// run is recorded with the error, and the next round resumes. SIGTERM sets a
// flag that is checked between batches: the worker records the run as
// interrupted and exits with status 0; batches are short (one
// gdpr.retention_batch_size), so shutdown is not held up.
extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

PGDLLEXPORT void gdpr_retention_worker_main(Datum main_arg);
}

#include <csignal>
#include <cstring>

#include "pg/shutdown_signal.hpp"
#include "retention/retention.hpp"

namespace gdpr::retention {

namespace {

MemoryContext run_context = nullptr;  // holds the run's state between transactions

// Runs `sql` (with up to two text parameters; a NULL pointer is SQL NULL) in a
// transaction of its own and returns the first column of its first row,
// copied into run_context (nullptr for no row or SQL NULL). On an ERROR: logs
// it, rolls the transaction back, stores its message in *error and returns
// nullptr.
char* run_sql(const char* sql, const char* arg1, const char* arg2, char** error) {
  char* volatile result = nullptr;
  *error = nullptr;
  SetCurrentStatementStartTimestamp();
  StartTransactionCommand();
  PushActiveSnapshot(GetTransactionSnapshot());
  pgstat_report_activity(STATE_RUNNING, sql);
  PG_TRY();
  {
    Oid types[2] = {TEXTOID, TEXTOID};
    Datum values[2] = {arg1 != nullptr ? CStringGetTextDatum(arg1) : static_cast<Datum>(0),
                       arg2 != nullptr ? CStringGetTextDatum(arg2) : static_cast<Datum>(0)};
    char nulls[2] = {arg1 != nullptr ? ' ' : 'n', arg2 != nullptr ? ' ' : 'n'};
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "gdpr retention: SPI_connect failed");
    const int ret = SPI_execute_with_args(sql, 2, types, values, nulls, false, 1);
    if (ret < 0) elog(ERROR, "gdpr retention: SPI_execute failed (%d): %s", ret, sql);
    if (SPI_processed > 0 && SPI_tuptable != nullptr) {
      char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
      if (value != nullptr) result = MemoryContextStrdup(run_context, value);
    }
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(run_context);
    ErrorData* edata = CopyErrorData();
    *error = MemoryContextStrdup(run_context, edata->message);
    FreeErrorData(edata);
    EmitErrorReport();
    FlushErrorState();
    AbortCurrentTransaction();
    result = nullptr;
  }
  PG_END_TRY();
  MemoryContextSwitchTo(run_context);
  pgstat_report_activity(STATE_IDLE, nullptr);
  return result;
}

void run_once() {
  char* error = nullptr;
  char* installed = run_sql(
      "SELECT 'yes' FROM pg_catalog.pg_extension WHERE extname = 'gdpr' "
      "AND pg_catalog.to_regprocedure('gdpr._retention_start(text,boolean,integer)') IS NOT NULL",
      nullptr, nullptr, &error);
  // No extension here (or a version without retention; or the look-up failed and was logged).
  if (installed == nullptr) return;

  char* state = run_sql(
      "SELECT gdpr._retention_start('worker', false, "
      "pg_catalog.current_setting('gdpr.retention_batch_size')::integer)::text",
      nullptr, nullptr, &error);
  if (state == nullptr) return;  // logged; e.g. a manual run holds the run lock

  // Step results are "done:<state>" or "more:<state>".
  for (;;) {
    CHECK_FOR_INTERRUPTS();  // ProcSignal barriers (DROP DATABASE elsewhere) and the like
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
    if (pg::shutdown_requested) {
      error =
          MemoryContextStrdup(run_context, "interrupted: the server is shutting down (the next run resumes)");
      break;
    }
    char* next = run_sql(
        "SELECT CASE WHEN (s ->> 'done')::boolean THEN 'done:' ELSE 'more:' END || s::text "
        "FROM gdpr._retention_step($1::jsonb) s",
        state, nullptr, &error);
    if (next == nullptr) break;  // error set and logged
    pfree(state);
    state = pstrdup(next + 5);
    const bool done = std::strncmp(next, "done:", 5) == 0;
    pfree(next);
    if (done) break;
  }

  char* finish_error = nullptr;
  char* summary = run_sql("SELECT gdpr._retention_summary(gdpr._retention_finish($1::jsonb, $2))", state,
                          error, &finish_error);
  if (summary != nullptr) {
    ereport(LOG, (errmsg("%s", summary)));
  } else {
    ereport(LOG, (errmsg("gdpr retention: the run in database %u could not be recorded: %s", MyDatabaseId,
                         finish_error != nullptr ? finish_error : "?")));
  }
}

}  // namespace

}  // namespace gdpr::retention

void gdpr_retention_worker_main(Datum main_arg) {
  using namespace gdpr::retention;
  const Oid database = DatumGetObjectId(main_arg);
  pqsignal(SIGTERM, gdpr::pg::request_shutdown);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
  pgstat_report_appname("gdpr retention");
  run_context = AllocSetContextCreate(TopMemoryContext, "gdpr retention run", ALLOCSET_DEFAULT_SIZES);
  MemoryContextSwitchTo(run_context);
  run_once();
  proc_exit(0);
}
