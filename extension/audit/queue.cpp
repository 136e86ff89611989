// The shared-memory queue: one ring buffer per database, so that each
// database's writer (a background worker connected to it) consumes only the
// events it can store.
//
// Layout: a directory of kSlots slots; each slot is a header plus a ring of
// gdpr.audit_queue_kb bytes holding records [uint32 length][event bytes].
// `head` and `tail` are monotonically increasing byte positions (the index
// into the ring is position % size); `enqueued` and `flushed` count events.
//
// Locking protocol (LWLocks of tranche "gdpr_audit"):
//   locks[0]      the directory: taken exclusively to assign a slot to a
//                 database (`database` changes only under it together with
//                 the slot's own lock); producers look their slot up under it
//                 in shared mode once per backend and cache the index.
//   locks[1 + i]  slot i: every read or write of its header fields and of the
//                 ring bytes between tail and head. Producers append under it
//                 exclusively (copy in, advance head); the writer copies a
//                 batch out under it in shared mode, inserts it with the lock
//                 released, and only then takes it exclusively to advance
//                 tail: space is freed after the batch is committed, so a
//                 writer that dies mid-batch loses nothing.
//   Never hold two slot locks, and take locks[0] before a slot lock. No
//   lock is held while waiting, doing I/O, or calling anything that can
//   ereport.
// Waiting: producers set the writer's latch so it drains early. On the
// normal path (wait_for_room) they sleep on the slot's condition variable,
// which the writer broadcasts after freeing space; enqueue(), which must
// also work while a transaction aborts, polls its own latch every 10 ms.
// Back-pressure never drops an event. On the normal path a statement first
// waits for room with wait_for_room(), which services interrupts: a cancel
// (or statement_timeout, or a terminate) ends that wait with an ERROR, and
// the statement's events are then queued by the abort path. enqueue() itself
// never services interrupts (it runs inside memory-context reset callbacks,
// also during abort) and waits as long as it takes; it only gives up when
// the postmaster dies (WL_EXIT_ON_PM_DEATH), when shared memory is lost anyway.
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
}

#include "audit/queue.hpp"

#include <cstring>

#include "audit/audit_settings.hpp"
#include "pg/error.hpp"
#include "pg/guard.hpp"

namespace gdpr::audit::queue {

namespace {

constexpr int kSlots = 16;
constexpr const char* kTranche = "gdpr_audit";
// A writer that was asked to start but has not attached within this time is
// asked again.
constexpr long kWriterStartRetryMs = 2000;
// A producer that waits this long for room says so in the server log (once
// per wait): most likely no writer can start (no free max_worker_processes
// slot) or the writer keeps failing.
constexpr long kEnqueueComplainMs = 10000;
// wait_for_room() waits until this much (or half the ring, if smaller) is
// free, so that the event queued right after almost always fits at once.
constexpr uint64 kRoomBytes = 64 * 1024;
// A backend being terminated gives up an event only after no writer has been
// attached for this long while it waited (see enqueue()).
constexpr long kNoWriterGiveUpMs = 5000;

struct SlotHeader {
  Oid database;  // InvalidOid: free
  int writer_pid;
  Latch* writer_latch;
  TimestampTz writer_requested_at;  // 0: no start pending
  uint64 head;
  uint64 tail;
  uint64 enqueued;
  uint64 flushed;
  uint64 wanted;  // highest event sequence a backend waits to see committed
  int64 head_id;  // last committed event id (chain head), 0: unknown
  uint8 head_mac[32];
  Oid head_table;      // the gdpr.audit_log that head_id is in
  uint8 next_key[32];  // the chain key of event head_id + 1
  bool next_key_valid;
  ConditionVariable room_freed;  // broadcast by the writer after freeing space
};

struct Shared {
  uint64 ring_bytes;
  LWLockPadded* locks;
};

Shared* shared = nullptr;
int my_slot = -1;  // cached per backend

uint64 ring_bytes_setting() { return static_cast<uint64>(settings::queue_kb) * 1024; }

Size slot_stride(uint64 ring) { return MAXALIGN(sizeof(SlotHeader)) + MAXALIGN(ring); }

SlotHeader* slot_header(int i) {
  char* base = reinterpret_cast<char*>(shared) + MAXALIGN(sizeof(Shared));
  return reinterpret_cast<SlotHeader*>(base + static_cast<Size>(i) * slot_stride(shared->ring_bytes));
}

char* slot_ring(int i) { return reinterpret_cast<char*>(slot_header(i)) + MAXALIGN(sizeof(SlotHeader)); }

LWLock* directory_lock() { return &shared->locks[0].lock; }
LWLock* slot_lock(int i) { return &shared->locks[1 + i].lock; }

void ring_write(int i, uint64 pos, const void* src, uint64 len) {
  const uint64 size = shared->ring_bytes;
  const uint64 at = pos % size;
  const uint64 first = Min(len, size - at);
  std::memcpy(slot_ring(i) + at, src, first);
  if (first < len) std::memcpy(slot_ring(i), static_cast<const char*>(src) + first, len - first);
}

void ring_read(int i, uint64 pos, void* dst, uint64 len) {
  const uint64 size = shared->ring_bytes;
  const uint64 at = pos % size;
  const uint64 first = Min(len, size - at);
  std::memcpy(dst, slot_ring(i) + at, first);
  if (first < len) std::memcpy(static_cast<char*>(dst) + first, slot_ring(i), len - first);
}

// The slot of this database, assigning one if needed; -1 when all are taken.
// Under LWLocks only; cannot ereport.
int find_or_assign_slot() {
  if (my_slot >= 0) return my_slot;
  LWLockAcquire(directory_lock(), LW_EXCLUSIVE);
  int found = -1;
  for (int i = 0; i < kSlots && found < 0; ++i)
    if (slot_header(i)->database == MyDatabaseId) found = i;
  // A free slot, or one left by a database that has nothing queued and no
  // writer (e.g. a dropped database).
  for (int i = 0; i < kSlots && found < 0; ++i) {
    LWLockAcquire(slot_lock(i), LW_EXCLUSIVE);
    SlotHeader* s = slot_header(i);
    if (s->database == InvalidOid ||
        (s->head == s->tail && s->writer_pid == 0 && s->writer_requested_at == 0)) {
      s->database = MyDatabaseId;
      s->head = s->tail = 0;
      s->enqueued = s->flushed = s->wanted = 0;
      s->head_id = 0;
      s->next_key_valid = false;
      found = i;
    }
    LWLockRelease(slot_lock(i));
  }
  LWLockRelease(directory_lock());
  my_slot = found;
  return found;
}

// Asks the postmaster for a writer of slot i if none is attached or starting.
// Cannot ereport (RegisterDynamicBackgroundWorker reports failure by value).
void start_writer_if_missing(int i) {
  TimestampTz now = GetCurrentTimestamp();
  LWLockAcquire(slot_lock(i), LW_EXCLUSIVE);
  SlotHeader* s = slot_header(i);
  bool start =
      s->writer_pid == 0 && (s->writer_requested_at == 0 ||
                             TimestampDifferenceExceeds(s->writer_requested_at, now, kWriterStartRetryMs));
  if (start) s->writer_requested_at = now;
  LWLockRelease(slot_lock(i));
  if (!start) return;

  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;  // producers start it again on demand
  std::strncpy(worker.bgw_library_name, "gdpr", BGW_MAXLEN - 1);
  std::strncpy(worker.bgw_function_name, "gdpr_audit_writer_main", BGW_MAXLEN - 1);
  std::snprintf(worker.bgw_name, BGW_MAXLEN, "gdpr audit writer (database %u)", MyDatabaseId);
  std::strncpy(worker.bgw_type, "gdpr audit writer", BGW_MAXLEN - 1);
  worker.bgw_main_arg = Int32GetDatum(i);
  std::memcpy(worker.bgw_extra, &MyDatabaseId, sizeof(Oid));
  worker.bgw_notify_pid = 0;
  if (!RegisterDynamicBackgroundWorker(&worker, nullptr)) {
    // No free background-worker slot: producers retry after kWriterStartRetryMs.
    elog(LOG,
         "gdpr: could not start the audit writer: no free background worker slot (max_worker_processes)");
  }
}

void wake_writer(int i) {
  LWLockAcquire(slot_lock(i), LW_SHARED);
  Latch* latch = slot_header(i)->writer_latch;
  LWLockRelease(slot_lock(i));
  if (latch != nullptr) SetLatch(latch);
}

}  // namespace

void request_shared_memory() {
  RequestAddinShmemSpace(MAXALIGN(sizeof(Shared)) + kSlots * slot_stride(ring_bytes_setting()));
  RequestNamedLWLockTranche(kTranche, kSlots + 1);
}

void attach_shared_memory() {
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  const Size size = MAXALIGN(sizeof(Shared)) + kSlots * slot_stride(ring_bytes_setting());
  shared = static_cast<Shared*>(ShmemInitStruct("gdpr_audit_queue", size, &found));
  if (!found) {
    std::memset(shared, 0, size);
    shared->ring_bytes = ring_bytes_setting();
    shared->locks = GetNamedLWLockTranche(kTranche);
    for (int i = 0; i < kSlots; ++i) ConditionVariableInit(&slot_header(i)->room_freed);
  }
  LWLockRelease(AddinShmemInitLock);
}

bool available() noexcept { return shared != nullptr; }

void ensure_writer() {
  if (shared == nullptr) return;
  int i = find_or_assign_slot();
  if (i < 0) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                "gdpr: no free audit queue slot for this database",
                "The audit queue serves at most 16 databases with the gdpr extension at a time.",
                "Drop the extension in databases that do not need it, or restart the server.");
  }
  // Once per statement: without the lock when a writer is attached (an
  // aligned int read does not tear; a stale view only delays the start to
  // the next statement or to enqueue(), which checks again under the lock).
  if (reinterpret_cast<const volatile SlotHeader*>(slot_header(i))->writer_pid != 0) return;
  start_writer_if_missing(i);
}

uint64_t enqueue(const std::string& record) noexcept {
  if (shared == nullptr) return 0;
  int i = find_or_assign_slot();
  const uint64 need = sizeof(uint32) + record.size();
  if (i < 0 || need > shared->ring_bytes / 2) {
    // Cannot happen for a database that passed ensure_writer() with events
    // capped by gdpr.audit_max_keys; say so loudly rather than silently.
    elog(WARNING, "gdpr: audit event of %zu bytes could not be queued (slot %d); it was lost", record.size(),
         i);
    return 0;
  }
  TimestampTz waiting_since = 0;
  TimestampTz writer_missing_since = 0;
  bool complained = false;
  for (;;) {
    uint64 seq = 0;
    bool wake = false;
    bool missing_writer = false;
    LWLockAcquire(slot_lock(i), LW_EXCLUSIVE);
    SlotHeader* s = slot_header(i);
    missing_writer = s->writer_pid == 0;
    if (s->database != MyDatabaseId) {
      // An idle slot of ours was handed to another database: look again.
      LWLockRelease(slot_lock(i));
      my_slot = -1;
      i = find_or_assign_slot();
      if (i < 0) {
        elog(WARNING, "gdpr: no audit queue slot for database %u; an audit event was lost", MyDatabaseId);
        return 0;
      }
      continue;
    }
    if (shared->ring_bytes - (s->head - s->tail) >= need) {
      uint32 len = static_cast<uint32>(record.size());
      ring_write(i, s->head, &len, sizeof len);
      ring_write(i, s->head + sizeof len, record.data(), record.size());
      // Wake the writer when this event fills the ring past half, not for
      // every event after: each wake takes the slot lock once more. (Should
      // the writer miss it, its timer or a producer waiting for room wakes it.)
      const uint64 half = shared->ring_bytes / 2;
      wake = s->head - s->tail <= half && s->head + need - s->tail > half;
      s->head += need;
      seq = ++s->enqueued;
      missing_writer = s->writer_pid == 0;
    }
    LWLockRelease(slot_lock(i));
    if (seq != 0) {
      // The writer retires when idle; bring one back for this event. This
      // cannot ereport, so it is safe here even during abort.
      if (missing_writer) start_writer_if_missing(i);
      if (wake) wake_writer(i);
      return seq;
    }
    // Full: back-pressure. Wake the writer and wait for it to free space,
    // for as long as it takes (never dropping the event) - unless this
    // backend is being terminated (pg_terminate_backend, shutdown) and no
    // writer has been there to take the event for kNoWriterGiveUpMs: then
    // nothing ever will, and the backend must be able to exit.
    TimestampTz now = GetCurrentTimestamp();
    if (waiting_since == 0) waiting_since = now;
    if (!complained && TimestampDifferenceExceeds(waiting_since, now, kEnqueueComplainMs)) {
      elog(LOG, "gdpr: audit queue full for %ld ms; waiting for the audit writer", kEnqueueComplainMs);
      complained = true;
    }
    if (missing_writer) {
      if (writer_missing_since == 0) writer_missing_since = now;
    } else {
      writer_missing_since = 0;
    }
    if (ProcDiePending && writer_missing_since != 0 &&
        TimestampDifferenceExceeds(writer_missing_since, now, kNoWriterGiveUpMs)) {
      elog(WARNING,
           "gdpr: backend terminated while the audit queue was full and no audit writer ran; an audit "
           "event was lost");
      return 0;
    }
    start_writer_if_missing(i);
    wake_writer(i);
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}

void wait_for_room() {
  if (shared == nullptr) return;
  const int i = find_or_assign_slot();
  if (i < 0) return;
  const uint64 room = Min(kRoomBytes, shared->ring_bytes / 2);
  {
    // Fast path without the lock (once per statement): aligned 64-bit reads
    // do not tear, and a stale view only means the locked check below runs
    // or the event waits inside enqueue() instead.
    const volatile SlotHeader* s = slot_header(i);
    if (shared->ring_bytes - (s->head - s->tail) >= room) return;
  }
  for (;;) {
    LWLockAcquire(slot_lock(i), LW_SHARED);
    const SlotHeader* s = slot_header(i);
    const bool ok = s->database != MyDatabaseId || shared->ring_bytes - (s->head - s->tail) >= room;
    LWLockRelease(slot_lock(i));
    if (ok) {
      ConditionVariableCancelSleep();
      return;
    }
    start_writer_if_missing(i);
    wake_writer(i);
    // Woken by the writer as soon as it frees space; services interrupts
    // (an ERROR here leaves the sleep to AbortTransaction to cancel).
    pg::guard([i] { (void)ConditionVariableTimedSleep(&slot_header(i)->room_freed, 10, PG_WAIT_EXTENSION); });
  }
}

void wait_durable(uint64_t seq, int timeout_ms) {
  if (shared == nullptr || seq == 0) return;
  const int i = find_or_assign_slot();
  if (i < 0) return;
  TimestampTz start = GetCurrentTimestamp();
  for (;;) {
    LWLockAcquire(slot_lock(i), LW_EXCLUSIVE);
    SlotHeader* s = slot_header(i);
    bool done = s->flushed >= seq;
    // Tells the writer not to wait for its next round (queue::urgent).
    if (!done && s->wanted < seq) s->wanted = seq;
    LWLockRelease(slot_lock(i));
    if (done) return;
    if (timeout_ms >= 0 && TimestampDifferenceExceeds(start, GetCurrentTimestamp(), timeout_ms)) {
      throw Error(sqlstate::object_not_in_prerequisite_state,
                  "gdpr: the audit writer did not commit the queued events in time",
                  "Waited " + std::to_string(timeout_ms) + " ms.",
                  "Check the server log for \"gdpr audit writer\" errors and max_worker_processes.");
    }
    start_writer_if_missing(i);
    wake_writer(i);
    pg::guard([] {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 5, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      CHECK_FOR_INTERRUPTS();
    });
  }
}

uint64_t last_enqueued() noexcept {
  if (shared == nullptr) return 0;
  const int i = find_or_assign_slot();
  if (i < 0) return 0;
  LWLockAcquire(slot_lock(i), LW_SHARED);
  uint64 seq = slot_header(i)->enqueued;
  LWLockRelease(slot_lock(i));
  return seq;
}

void committed_head(int64_t& id, Digest& mac, Oid& table) noexcept {
  id = 0;
  table = InvalidOid;
  if (shared == nullptr) return;
  const int i = find_or_assign_slot();
  if (i < 0) return;
  LWLockAcquire(slot_lock(i), LW_SHARED);
  id = slot_header(i)->head_id;
  std::memcpy(mac.data(), slot_header(i)->head_mac, mac.size());
  table = slot_header(i)->head_table;
  LWLockRelease(slot_lock(i));
}

bool attach_writer(int slot, Oid database) noexcept {
  if (shared == nullptr || slot < 0 || slot >= kSlots) return false;
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  SlotHeader* s = slot_header(slot);
  bool ok = s->database == database && s->writer_pid == 0;
  if (ok) {
    s->writer_pid = MyProcPid;
    s->writer_latch = MyLatch;
    s->writer_requested_at = 0;
  }
  LWLockRelease(slot_lock(slot));
  if (ok) my_slot = slot;
  return ok;
}

void detach_writer(int slot) noexcept {
  if (shared == nullptr || slot < 0 || slot >= kSlots) return;
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  SlotHeader* s = slot_header(slot);
  if (s->writer_pid == MyProcPid) {
    s->writer_pid = 0;
    s->writer_latch = nullptr;
  }
  LWLockRelease(slot_lock(slot));
}

bool retire_if_idle(int slot) noexcept {
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  SlotHeader* s = slot_header(slot);
  bool idle = s->head == s->tail && s->writer_pid == MyProcPid;
  if (idle) {
    s->writer_pid = 0;
    s->writer_latch = nullptr;
  }
  LWLockRelease(slot_lock(slot));
  return idle;
}

Batch peek(int slot, size_t max_bytes) {
  Batch batch;
  std::vector<std::pair<size_t, uint32>> spans;  // offset in data, length
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  SlotHeader* s = slot_header(slot);
  uint64 pos = s->tail;
  const uint64 head = s->head;
  try {
    batch.data.reserve(Min(head - pos, static_cast<uint64>(max_bytes) + shared->ring_bytes / 2));
    while (pos < head && batch.bytes < max_bytes) {
      uint32 len = 0;
      ring_read(slot, pos, &len, sizeof len);
      const size_t at = batch.data.size();
      batch.data.resize(at + len);
      ring_read(slot, pos + sizeof len, batch.data.data() + at, len);
      spans.emplace_back(at, len);
      pos += sizeof len + len;
      batch.bytes += sizeof len + len;
    }
  } catch (...) {
    LWLockRelease(slot_lock(slot));
    throw;
  }
  LWLockRelease(slot_lock(slot));
  // Views only now: data no longer moves.
  batch.records.reserve(spans.size());
  for (const auto& [at, len] : spans) batch.records.emplace_back(batch.data.data() + at, len);
  return batch;
}

void release(int slot, const Batch& batch, int64_t head_id, const Digest& head_mac, Oid table,
             const Digest* next_key) noexcept {
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  SlotHeader* s = slot_header(slot);
  s->tail += batch.bytes;
  s->flushed += batch.records.size();
  if (head_id > 0) {
    s->head_id = head_id;
    s->head_table = table;
    std::memcpy(s->head_mac, head_mac.data(), head_mac.size());
    s->next_key_valid = next_key != nullptr;
    if (next_key != nullptr) std::memcpy(s->next_key, next_key->data(), next_key->size());
  }
  LWLockRelease(slot_lock(slot));
  ConditionVariableBroadcast(&s->room_freed);
}

bool urgent(int slot) noexcept {
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  const SlotHeader* s = slot_header(slot);
  const bool result = s->head - s->tail >= shared->ring_bytes / 2 || s->wanted > s->flushed;
  LWLockRelease(slot_lock(slot));
  return result;
}

bool next_key(int slot, Oid table, int64_t next_id, Digest& key) noexcept {
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  const SlotHeader* s = slot_header(slot);
  const bool found = s->next_key_valid && s->head_table == table && s->head_id + 1 == next_id;
  if (found) std::memcpy(key.data(), s->next_key, key.size());
  LWLockRelease(slot_lock(slot));
  return found;
}

uint64_t pending_bytes(int slot) noexcept {
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  uint64 n = slot_header(slot)->head - slot_header(slot)->tail;
  LWLockRelease(slot_lock(slot));
  return n;
}

}  // namespace gdpr::audit::queue
