// The audit writer: one background worker per database, the queue's only
// consumer and the only process that writes gdpr.audit_log, so the chain is
// extended by a single writer and concurrent backends cannot race it.
//
// Every gdpr.audit_flush_ms (or earlier when a producer wakes it: queue half
// full, gdpr.audit_sync, gdpr.audit_flush()) it copies a batch out of the
// queue, signs and inserts it in one transaction, commits, and only then frees
// the batch's queue space. On SIGTERM (clean shutdown) it keeps draining until
// the queue is empty and no other process of its database is left, so events
// queued by backends aborting on the same SIGTERM are written too.
extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "storage/lmgr.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PGDLLEXPORT void gdpr_audit_writer_main(Datum main_arg);
}

#include <openssl/crypto.h>

#include <csignal>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "audit/audit.hpp"
#include "audit/audit_settings.hpp"
#include "audit/chain.hpp"
#include "audit/log_insert.hpp"
#include "audit/log_row.hpp"
#include "audit/queue.hpp"
#include "keys/keys.hpp"
#include "pg/error.hpp"
#include "pg/guard.hpp"
#include "pg/shutdown_signal.hpp"
#include "pg/invoke.hpp"

namespace gdpr::audit {

namespace {

// One transaction per batch: larger batches amortise the commit (and its WAL
// flush) over more events; the queue's ring is at most this big by default.
constexpr size_t kBatchBytes = 4 * 1024 * 1024;
constexpr long kCheckpointEveryMs = 10000;
constexpr int64_t kCheckpointEveryEvents = 10000;
// A clean shutdown waits at most this long for other processes to leave.
constexpr long kShutdownDrainMs = 30000;
// An idle writer leaves after this long (DROP DATABASE waits 5 s for
// sessions); producers start a new one on their next event.
constexpr long kIdleRetireMs = 1000;
// Events queued for a database whose gdpr.audit_log stays missing this long
// (the extension was dropped) are discarded, with a WARNING.
constexpr long kMissingTableGiveUpMs = 10000;
// How often the writer looks for partitions past gdpr.audit_retention.
constexpr long kRetentionEveryMs = 3600 * 1000L;

// Switches CurrentMemoryContext for a scope (cannot fail).
class MemoryContextSwitch {
 public:
  explicit MemoryContextSwitch(MemoryContext to) noexcept : previous_(MemoryContextSwitchTo(to)) {}
  ~MemoryContextSwitch() { MemoryContextSwitchTo(previous_); }
  MemoryContextSwitch(const MemoryContextSwitch&) = delete;
  MemoryContextSwitch& operator=(const MemoryContextSwitch&) = delete;

 private:
  MemoryContext previous_;
};

class Writer {
 public:
  explicit Writer(int slot) : slot_(slot) {}

  // Writes a batch of what is queued, and more batches while the queue stays
  // urgent (half full, or someone waits for their events to be durable), or
  // everything when `everything`. Returns the number of events written.
  // Between wake-ups (gdpr.audit_flush_ms) events accumulate into large
  // batches: the commit's WAL flush and the per-batch work are shared by
  // thousands of events instead of being paid for a handful.
  size_t drain(bool everything) {
    size_t written = 0;
    for (;;) {
      queue::Batch batch = queue::peek(slot_, kBatchBytes);
      if (batch.records.empty()) return written;
      if (!write_batch(batch)) return written;  // no log table (yet): keep the events queued
      queue::release(slot_, batch, chain_ ? chain_->next_id() - 1 : next_id_ - 1,
                     chain_ ? chain_->head() : Digest{}, table_, chain_ ? &chain_->key() : nullptr);
      written += batch.records.size();
      if (!everything && !queue::urgent(slot_)) return written;
    }
  }

 private:
  // False: gdpr.audit_log does not exist (yet), nothing was written.
  bool write_batch(const queue::Batch& batch) {
    pg::guard([] {
      SetCurrentStatementStartTimestamp();
      StartTransactionCommand();
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
      PushActiveSnapshot(GetTransactionSnapshot());
      pgstat_report_activity(STATE_RUNNING, "gdpr audit writer: writing events");
    });
    Oid table = current_table();
    if (OidIsValid(table) &&
        (!loaded_ || table != table_ ||
         partitions_ready_day_ != GetCurrentTransactionStartTimestamp() / USECS_PER_DAY)) {
      // This batch may create partitions and add them to the extension
      // (ShareUpdateExclusiveLock on it). Take that lock before touching any
      // of the extension's objects: DROP EXTENSION locks the extension first
      // and its members after, and the other order would deadlock with it.
      pg::guard([] {
        const Oid extension = get_extension_oid("gdpr", true);
        if (OidIsValid(extension))
          LockDatabaseObject(ExtensionRelationId, extension, 0, ShareUpdateExclusiveLock);
      });
      table = current_table();  // perhaps dropped meanwhile
    }
    if (OidIsValid(table)) {
      // A dropped and re-created extension has a new, empty log: a new chain.
      if (!loaded_ || table != table_) load_chain_state(table);
      // One logged_at per batch, never decreasing: ids and the partition key
      // grow together, so each daily partition holds a contiguous run of ids.
      logged_at_ = Max(logged_at_, pg::guard([] { return GetCurrentTransactionStartTimestamp(); }));
      LogInserter inserter(table, ensure_partitions());
      log_row::ValueCache cache;  // in this transaction's memory, like the inserter's
      for (std::string_view record : batch.records) {
        deserialize(record, event_);
        add(event_, cache, inserter);
      }
      inserter.finish();
      maybe_checkpoint();
      table_missing_since_ = 0;
    } else {
      // Events of the transaction that creates the extension arrive before
      // it commits: wait for the table. If it stays missing, the extension
      // was dropped with events queued and there is nowhere to keep them.
      const TimestampTz now = GetCurrentTimestamp();
      if (table_missing_since_ == 0) table_missing_since_ = now;
      if (!TimestampDifferenceExceeds(table_missing_since_, now, kMissingTableGiveUpMs)) {
        pg::guard([] {
          SPI_finish();
          PopActiveSnapshot();
          CommitTransactionCommand();
          pgstat_report_activity(STATE_IDLE, nullptr);
        });
        return false;
      }
      elog(WARNING, "gdpr audit writer: gdpr.audit_log does not exist; %zu queued events discarded",
           batch.records.size());
      table_missing_since_ = 0;
    }
    pg::guard([] {
      SPI_finish();
      PopActiveSnapshot();
      CommitTransactionCommand();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
    return true;
  }

  static Oid current_table() {
    return pg::guard([] {
      Oid ns = get_namespace_oid("gdpr", true);
      return OidIsValid(ns) ? get_relname_relid("audit_log", ns) : InvalidOid;
    });
  }

  // Where the chain stands: after the last stored event, or after the last
  // checkpoint if the table's tail was cut off (the gap stays visible to
  // gdpr_audit_verify()).
  void load_chain_state(Oid table) {
    table_ = table;
    int64_t last_id = 0;
    Digest last_mac{};
    read_last("SELECT id, mac FROM gdpr.audit_log ORDER BY id DESC LIMIT 1", last_id, last_mac);
    int64_t cp_id = 0;
    Digest cp_mac{};
    read_last("SELECT event_id, mac FROM gdpr.audit_checkpoints ORDER BY event_id DESC LIMIT 1", cp_id,
              cp_mac);
    int64_t shm_id = 0;
    Digest shm_mac{};
    Oid shm_table = InvalidOid;
    queue::committed_head(shm_id, shm_mac, shm_table);
    if (shm_table != table) shm_id = 0;
    if (cp_id > last_id) {
      elog(WARNING, "gdpr audit writer: gdpr.audit_log ends at event %lld but a checkpoint names event %lld",
           static_cast<long long>(last_id), static_cast<long long>(cp_id));
      last_id = cp_id;
      last_mac = cp_mac;
    }
    if (shm_id > last_id) {
      elog(WARNING, "gdpr audit writer: gdpr.audit_log ends at event %lld but event %lld was written",
           static_cast<long long>(last_id), static_cast<long long>(shm_id));
      last_id = shm_id;
      last_mac = shm_mac;
    }
    next_id_ = last_id + 1;
    logged_at_ = 0;
    pg::guard([] {
      if (SPI_execute("SELECT logged_at FROM gdpr.audit_log ORDER BY id DESC LIMIT 1", true, 1) !=
          SPI_OK_SELECT)
        elog(ERROR, "gdpr audit writer: could not read the last logged_at");
    });
    if (SPI_processed == 1) {
      bool null = true;
      Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &null);
      if (!null) logged_at_ = DatumGetTimestampTz(d);
    }
    partitions_ready_day_ = -1;
    try {
      chain_.emplace(keys::derive("audit"));
      // The previous writer's key for the next event, if it left one: the
      // ratchet from the first key costs a hash per event ever written.
      Digest key{};
      if (queue::next_key(slot_, table, next_id_, key))
        chain_->resume(next_id_, key, last_mac);
      else
        chain_->seek(next_id_, last_mac);
      OPENSSL_cleanse(key.data(), key.size());
    } catch (const Error& e) {
      chain_.reset();
      elog(WARNING, "gdpr audit writer: events are written unsigned: %s", e.what());
    }
    last_checkpoint_id_ = cp_id;
    last_checkpoint_at_ = GetCurrentTimestamp();
    loaded_ = true;
  }

  void read_last(const char* sql, int64_t& id, Digest& mac) {
    pg::guard([&] {
      if (SPI_execute(sql, true, 1) != SPI_OK_SELECT) elog(ERROR, "gdpr audit writer: \"%s\" failed", sql);
    });
    if (SPI_processed != 1) return;
    bool id_null = true, mac_null = true;
    Datum id_datum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &id_null);
    Datum mac_datum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &mac_null);
    if (id_null) return;
    id = DatumGetInt64(id_datum);
    if (!mac_null) {
      bytea* bytes = pg::guard([&] { return DatumGetByteaPP(mac_datum); });
      if (VARSIZE_ANY_EXHDR(bytes) == mac.size()) std::memcpy(mac.data(), VARDATA_ANY(bytes), mac.size());
    }
  }

  // The daily partitions (UTC) for the batch's logged_at and the next day,
  // created ahead so that the day's first batch rarely has to. Returns the
  // current day's partition, where the batch goes. Within a day the
  // partition is only looked up in the catalog cache: one dropped behind the
  // writer's back is re-created instead of failing the insert.
  Oid ensure_partitions() {
    const int64_t day = logged_at_ / USECS_PER_DAY;
    if (day == partitions_ready_day_ && OidIsValid(partition_) &&
        pg::guard([this] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(partition_)); }))
      return partition_;
    Oid partition = InvalidOid;
    for (int64_t ahead = 0; ahead <= (day == partitions_ready_day_ ? 0 : 1); ++ahead) {
      const TimestampTz t = logged_at_ + ahead * USECS_PER_DAY;
      const Oid made = pg::guard([t] {
        Oid types[1] = {TIMESTAMPTZOID};
        Datum values[1] = {TimestampTzGetDatum(t)};
        if (SPI_execute_with_args("SELECT gdpr._audit_ensure_partition($1)", 1, types, values, nullptr, false,
                                  1) != SPI_OK_SELECT ||
            SPI_processed != 1)
          elog(ERROR, "gdpr audit writer: could not create a partition of gdpr.audit_log");
        bool null = true;
        Datum oid = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &null);
        return null ? InvalidOid : DatumGetObjectId(oid);
      });
      if (ahead == 0) partition = made;
    }
    if (!OidIsValid(partition)) {
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "gdpr audit writer: gdpr._audit_ensure_partition() named no partition", "",
                  "Re-create the extension's functions (ALTER EXTENSION gdpr UPDATE).");
    }
    partitions_ready_day_ = day;
    partition_ = partition;
    return partition;
  }

  // Signs the event and hands its row to the inserter.
  void add(const Event& event, log_row::ValueCache& cache, LogInserter& inserter) {
    Datum values[LogInserter::kColumns];
    bool nulls[LogInserter::kColumns];
    const int64_t id = chain_ ? chain_->next_id() : next_id_;
    MemoryContextSwitch into_rows(inserter.row_memory());
    log_row::to_row(id, logged_at_, event, cache, values, nulls, canonical_);
    constexpr int kMac = log_row::kSignedColumns;
    nulls[kMac] = true;
    if (chain_) {
      Digest mac = chain_->sign(canonical_);
      values[kMac] = pg::guard([&] {
        bytea* b = static_cast<bytea*>(palloc(VARHDRSZ + mac.size()));
        SET_VARSIZE(b, VARHDRSZ + mac.size());
        std::memcpy(VARDATA(b), mac.data(), mac.size());
        return PointerGetDatum(b);
      });
      nulls[kMac] = false;
    }
    next_id_ = id + 1;
    inserter.add(values, nulls);
  }

  // A checkpoint of the current head, in a transaction of its own, if the
  // head moved since the last one (before the writer retires or stops).
 public:
  // Drops the partitions older than gdpr.audit_retention, at most once per
  // kRetentionEveryMs, in a transaction of its own (DROP waits for readers of
  // the log). Each dropped partition leaves a 'retention' checkpoint.
  void apply_retention() {
    if (settings::retention_min <= 0 || !loaded_) return;
    const TimestampTz now = GetCurrentTimestamp();
    if (last_retention_at_ != 0 && !TimestampDifferenceExceeds(last_retention_at_, now, kRetentionEveryMs))
      return;
    last_retention_at_ = now;
    pg::guard([] {
      SetCurrentStatementStartTimestamp();
      StartTransactionCommand();
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
      PushActiveSnapshot(GetTransactionSnapshot());
      pgstat_report_activity(STATE_RUNNING, "gdpr audit writer: retention");
    });
    if (current_table() == table_) {
      const TimestampTz horizon = now - static_cast<int64_t>(settings::retention_min) * USECS_PER_MINUTE;
      pg::guard([horizon] {
        Oid types[1] = {TIMESTAMPTZOID};
        Datum values[1] = {TimestampTzGetDatum(horizon)};
        if (SPI_execute_with_args("SELECT gdpr._audit_drop_partitions_before($1)", 1, types, values, nullptr,
                                  false, 1) != SPI_OK_SELECT)
          elog(ERROR, "gdpr audit writer: retention of gdpr.audit_log failed");
      });
    }
    pg::guard([] {
      SPI_finish();
      PopActiveSnapshot();
      CommitTransactionCommand();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
  }

  void checkpoint_now() {
    if (!chain_ || chain_->next_id() - 1 <= last_checkpoint_id_) return;
    pg::guard([] {
      SetCurrentStatementStartTimestamp();
      StartTransactionCommand();
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
      PushActiveSnapshot(GetTransactionSnapshot());
    });
    // Not into a log that was dropped (and perhaps re-created) meanwhile.
    if (current_table() == table_) maybe_checkpoint(true);
    pg::guard([] {
      SPI_finish();
      PopActiveSnapshot();
      CommitTransactionCommand();
    });
  }

 private:
  // Records the chain head in gdpr.audit_checkpoints and the server log, so
  // that cutting off the table's tail is detectable.
  void maybe_checkpoint(bool force = false) {
    if (!chain_) return;
    const int64_t head = chain_->next_id() - 1;
    if (head <= last_checkpoint_id_) return;
    const TimestampTz now = GetCurrentTimestamp();
    if (!force && head - last_checkpoint_id_ < kCheckpointEveryEvents &&
        !TimestampDifferenceExceeds(last_checkpoint_at_, now, kCheckpointEveryMs))
      return;
    const Digest mac = chain_->head();
    pg::guard([&] {
      Oid types[2] = {INT8OID, BYTEAOID};
      bytea* b = static_cast<bytea*>(palloc(VARHDRSZ + mac.size()));
      SET_VARSIZE(b, VARHDRSZ + mac.size());
      std::memcpy(VARDATA(b), mac.data(), mac.size());
      Datum values[2] = {Int64GetDatum(head), PointerGetDatum(b)};
      if (SPI_execute_with_args("INSERT INTO gdpr.audit_checkpoints (event_id, mac) VALUES ($1, $2)", 2,
                                types, values, nullptr, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "gdpr audit writer: checkpoint insert failed");
    });
    elog(LOG, "gdpr audit chain head: event %lld mac %s", static_cast<long long>(head), to_hex(mac).c_str());
    last_checkpoint_id_ = head;
    last_checkpoint_at_ = now;
  }

  int slot_;
  bool loaded_ = false;
  std::optional<Chain> chain_;
  int64_t next_id_ = 1;
  int64_t last_checkpoint_id_ = 0;
  TimestampTz last_checkpoint_at_ = 0;
  std::string canonical_;  // reused per event
  Event event_;            // reused per event
  TimestampTz logged_at_ = 0;
  int64_t partitions_ready_day_ = -1;
  Oid partition_ = InvalidOid;  // the partition of partitions_ready_day_
  TimestampTz last_retention_at_ = 0;
  Oid table_ = InvalidOid;
  TimestampTz table_missing_since_ = 0;
};

void detach_at_exit(int /*code*/, Datum slot) { queue::detach_writer(DatumGetInt32(slot)); }

void run(int slot) {
  Writer writer(slot);
  TimestampTz shutdown_at = 0;
  TimestampTz last_work = GetCurrentTimestamp();
  for (;;) {
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      pg::guard([] { ProcessConfigFile(PGC_SIGHUP); });
    }
    if (writer.drain(pg::shutdown_requested) > 0) last_work = GetCurrentTimestamp();
    writer.apply_retention();
    if (!pg::shutdown_requested &&
        TimestampDifferenceExceeds(last_work, GetCurrentTimestamp(), kIdleRetireMs)) {
      writer.checkpoint_now();
      if (queue::retire_if_idle(slot)) return;
    }
    if (pg::shutdown_requested) {
      const TimestampTz now = GetCurrentTimestamp();
      if (shutdown_at == 0) shutdown_at = now;
      const bool others_left = pg::guard([] { return CountDBBackends(MyDatabaseId) <= 1; });
      if ((queue::pending_bytes(slot) == 0 && others_left) ||
          TimestampDifferenceExceeds(shutdown_at, now, kShutdownDrainMs)) {
        writer.drain(true);
        writer.checkpoint_now();
        return;
      }
    }
    pg::guard([] {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                      pg::shutdown_requested ? 10 : settings::flush_ms, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      // Absorbs ProcSignalBarriers (DROP DATABASE waits for every process to
      // release its files) and other interrupts. SIGTERM does not set
      // ProcDiePending here (pg::request_shutdown only sets a flag), so
      // this never exits mid-drain.
      CHECK_FOR_INTERRUPTS();
    });
  }
}

}  // namespace

}  // namespace gdpr::audit

void gdpr_audit_writer_main(Datum main_arg) {
  using namespace gdpr::audit;
  const int slot = DatumGetInt32(main_arg);
  Oid database = InvalidOid;
  std::memcpy(&database, MyBgworkerEntry->bgw_extra, sizeof(Oid));

  pqsignal(SIGTERM, gdpr::pg::request_shutdown);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
  mark_audit_writer();
  if (!queue::attach_writer(slot, database)) proc_exit(0);  // another writer serves this database
  before_shmem_exit(detach_at_exit, Int32GetDatum(slot));
  pgstat_report_appname("gdpr audit writer");
  // An ERROR here ends the worker (no outer handler: it becomes FATAL); the
  // uncommitted batch stays queued and the next producer starts a new writer.
  gdpr::invoke_cpp([slot] { run(slot); });
  proc_exit(0);
}
