// The executor hooks of the audit, chained like pg_stat_statements'.
//
//   ExecutorStart  plans the capture from the range table, runs the previous
//                  hook (catching a refused access to audit it), then wraps
//                  the plan's scan nodes and ties the statement's capture to
//                  its executor memory context.
//   ExecutorRun / ExecutorFinish   only count the nesting level, so events of
//                  statements run inside functions say how deep they were.
//   ExecutorEnd    marks the statement finished; with gdpr.audit_sync waits
//                  until its events are committed.
//
// Events are queued from a reset callback of the statement's es_query_cxt:
// that context is deleted on a normal ExecutorEnd, and also when an error or
// a rollback abandons the statement, so a reader's rollback or a failed
// statement never loses the event of rows already read.
extern "C" {
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "commands/copy.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/memutils.h"
}

#include "audit/audit.hpp"
#include "audit/audit_settings.hpp"
#include "audit/capture.hpp"
#include "audit/copy.hpp"
#include "audit/queue.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"
#include "settings.hpp"

namespace gdpr::audit {

namespace {

ExecutorStart_hook_type prev_executor_start = nullptr;
ExecutorRun_hook_type prev_executor_run = nullptr;
ExecutorFinish_hook_type prev_executor_finish = nullptr;
ExecutorEnd_hook_type prev_executor_end = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

int nesting_level = 0;
bool is_audit_writer = false;
uint64_t last_queued_seq = 0;  // sequence of this backend's last queued event

bool should_audit(int eflags) {
  return gdpr::settings::audit_enabled && !is_audit_writer && queue::available() &&
         (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && OidIsValid(MyDatabaseId) && !RecoveryInProgress();
}

void queue_events(StatementCapture& statement, const char* outcome) noexcept {
  // Reused by every statement of the backend: once their strings have grown
  // to size, queueing an event allocates nothing.
  static Event event;
  static std::string record;
  try {
    for (size_t i = 0; i < statement.relations.size(); ++i) {
      statement_event(statement, i, outcome, event);
      serialize(event, record);
      uint64_t seq = queue::enqueue(record);
      if (seq != 0) last_queued_seq = seq;
    }
  } catch (...) {
    elog(WARNING, "gdpr: out of memory while queueing audit events; events of this statement were lost");
  }
}

// Reset callback of the statement's es_query_cxt: the statement is over,
// whichever way it ended. Must not throw or ereport(ERROR).
void statement_memory_released(void* arg) {
  auto* statement = static_cast<StatementCapture*>(arg);
  unregister_statement(statement);
  queue_events(*statement, statement->finished ? "ok" : "error");
  delete statement;
}

bool is_refusal(const PgError& error) {
  return error.data() != nullptr && error.data()->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE;
}

void executor_start(QueryDesc* query, int eflags) {
  std::unique_ptr<StatementCapture> statement;
  if (should_audit(eflags)) {
    statement = plan_capture(query, nesting_level);
    if (statement && !IsParallelWorker()) queue::ensure_writer();
  }
  try {
    pg::guard([&] {
      if (prev_executor_start != nullptr)
        prev_executor_start(query, eflags);
      else
        standard_ExecutorStart(query, eflags);
    });
  } catch (const PgError& error) {
    // Permission denied on a tagged table or column: exactly what an
    // investigator looks for. Nothing was read.
    if (statement && is_refusal(error)) queue_events(*statement, "refused");
    throw;
  }
  if (!statement) return;

  EState* estate = query->estate;
  statement->estate = estate;
  collect_wraps(*statement, query->planstate);
  auto* callback = pg::guard([&] {
    return static_cast<MemoryContextCallback*>(
        MemoryContextAllocZero(estate->es_query_cxt, sizeof(MemoryContextCallback)));
  });
  register_statement(statement.get());
  // From here nothing can fail: the callback owns the capture.
  callback->func = statement_memory_released;
  callback->arg = statement.get();
  MemoryContextRegisterResetCallback(estate->es_query_cxt, callback);
  install_wraps(*statement.release());
}

extern "C" void audit_executor_start(QueryDesc* query, int eflags) {
  invoke_cpp([&] { executor_start(query, eflags); });
}

// Plain C style: a PG_TRY frame must not hold C++ objects.
extern "C" void audit_executor_run(QueryDesc* query, ScanDirection direction, uint64 count,
                                   bool execute_once) {
  ++nesting_level;
  PG_TRY();
  {
    if (prev_executor_run != nullptr)
      prev_executor_run(query, direction, count, execute_once);
    else
      standard_ExecutorRun(query, direction, count, execute_once);
  }
  PG_FINALLY();
  { --nesting_level; }
  PG_END_TRY();
}

extern "C" void audit_executor_finish(QueryDesc* query) {
  ++nesting_level;
  PG_TRY();
  {
    if (prev_executor_finish != nullptr)
      prev_executor_finish(query);
    else
      standard_ExecutorFinish(query);
  }
  PG_FINALLY();
  { --nesting_level; }
  PG_END_TRY();
}

extern "C" void audit_executor_end(QueryDesc* query) {
  StatementCapture* statement = query->estate != nullptr ? find_statement(query->estate) : nullptr;
  if (statement != nullptr && IsTransactionState()) {
    // Back-pressure where a cancel can still end it: a full queue holds the
    // statement here, servicing interrupts. A cancel raises an ERROR and the
    // abort path queues the events (outcome error): never lost.
    invoke_cpp([] { queue::wait_for_room(); });
  }
  if (statement != nullptr) statement->finished = true;
  const uint64_t queued_before = last_queued_seq;
  if (prev_executor_end != nullptr)
    prev_executor_end(query);
  else
    standard_ExecutorEnd(query);
  // The callback above has queued this statement's events by now.
  // Not while a transaction aborts (a cursor closed by ROLLBACK ends here
  // too): waiting services interrupts, which must not happen during abort.
  if (settings::sync && last_queued_seq != queued_before && IsTransactionState()) {
    const uint64_t seq = last_queued_seq;
    invoke_cpp([seq] { queue::wait_durable(seq, -1); });
  }
}

// COPY table TO/FROM bypasses the executor's scan nodes (COPY (query) TO
// does not, and is audited by the executor hooks): plan_copy() rewrites it
// so that its rows are seen (copy.hpp), or records the relation, the tagged
// columns and the row count.
void run_utility(PlannedStmt* planned, const char* query_string, bool read_only_tree,
                 ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* query_env,
                 DestReceiver* dest, QueryCompletion* completion) {
  pg::guard([&] {
    if (prev_process_utility != nullptr)
      prev_process_utility(planned, query_string, read_only_tree, context, params, query_env, dest,
                           completion);
    else
      standard_ProcessUtility(planned, query_string, read_only_tree, context, params, query_env, dest,
                              completion);
  });
}

void process_copy(PlannedStmt* planned, const char* query_string, bool read_only_tree,
                  ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* query_env,
                  DestReceiver* dest, QueryCompletion* completion) {
  CopyPlan plan = plan_copy(planned, nesting_level);
  const bool rewritten = plan.planned != planned;
  if (plan.capture || OidIsValid(plan.copy_to_relation)) queue::ensure_writer();

  if (OidIsValid(plan.copy_to_relation)) {
    // Rows leave in the table's order and one process reads them, as with
    // the plain COPY: no parallel plan for the query. The setting is undone
    // below, or by the abort of the transaction on an error.
    const int guc_level = pg::guard([] {
      const int level = NewGUCNestLevel();
      (void)set_config_option("max_parallel_workers_per_gather", "0", PGC_USERSET, PGC_S_SESSION,
                              GUC_ACTION_SAVE, true, 0, false);
      return level;
    });
    CopyToScope scope(plan.copy_to_relation, nesting_level, static_cast<int64_t>(planned->queryId));
    run_utility(plan.planned, query_string, false, context, params, query_env, dest, completion);
    pg::guard([guc_level] { AtEOXact_GUC(true, guc_level); });
    return;
  }

  if (!plan.capture) {
    run_utility(plan.planned, query_string, read_only_tree && !rewritten, context, params, query_env, dest,
                completion);
    return;
  }
  StatementCapture& statement = *plan.capture;
  try {
    CopyFromScope scope(plan.keys_from_where ? statement.relations.front().get() : nullptr);
    run_utility(plan.planned, query_string, read_only_tree && !rewritten, context, params, query_env, dest,
                completion);
  } catch (const PgError& error) {
    queue_events(statement, is_refusal(error) ? "refused" : "error");
    throw;
  }
  if (completion != nullptr)
    statement.relations.front()->row_count = static_cast<int64_t>(completion->nprocessed);
  try {
    queue::wait_for_room();  // back-pressure that a cancel can end
  } catch (...) {
    queue_events(statement, "error");
    throw;
  }
  queue_events(statement, "ok");
}

extern "C" void audit_process_utility(PlannedStmt* planned, const char* query_string, bool read_only_tree,
                                      ProcessUtilityContext context, ParamListInfo params,
                                      QueryEnvironment* query_env, DestReceiver* dest,
                                      QueryCompletion* completion) {
  // Every other utility statement (including those that commit inside, like
  // CALL or VACUUM) passes straight through, untouched by C++ frames.
  if (!IsA(planned->utilityStmt, CopyStmt) || !should_audit(0)) {
    if (prev_process_utility != nullptr)
      prev_process_utility(planned, query_string, read_only_tree, context, params, query_env, dest,
                           completion);
    else
      standard_ProcessUtility(planned, query_string, read_only_tree, context, params, query_env, dest,
                              completion);
    return;
  }
  invoke_cpp([&] {
    process_copy(planned, query_string, read_only_tree, context, params, query_env, dest, completion);
  });
}

}  // namespace

void mark_audit_writer() noexcept { is_audit_writer = true; }

uint64_t last_queued_event() noexcept { return last_queued_seq; }

void install_executor_hooks() {
  prev_executor_start = ExecutorStart_hook;
  ExecutorStart_hook = audit_executor_start;
  prev_executor_run = ExecutorRun_hook;
  ExecutorRun_hook = audit_executor_run;
  prev_executor_finish = ExecutorFinish_hook;
  ExecutorFinish_hook = audit_executor_finish;
  prev_executor_end = ExecutorEnd_hook;
  ExecutorEnd_hook = audit_executor_end;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = audit_process_utility;
}

}  // namespace gdpr::audit
