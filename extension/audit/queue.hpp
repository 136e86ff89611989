// The shared-memory queue between backends (producers) and the audit writer
// of their database (the single consumer). See queue.cpp for the layout and
// the locking protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/chain.hpp"
#include "pg/pg_fwd.hpp"

namespace gdpr::audit::queue {

// shmem_request_hook / shmem_startup_hook parts (postmaster, under
// shared_preload_libraries).
void request_shared_memory();
void attach_shared_memory();
// False when gdpr was loaded without shared_preload_libraries: no queue, no audit.
bool available() noexcept;

// --- producers (backends) ---

// Claims this database's queue slot and starts its writer if none runs.
// Normal (non-abort) path only: may throw gdpr::Error / gdpr::PgError.
void ensure_writer();
// Appends one serialised event, waiting while the queue is full (back-pressure,
// never dropping) for as long as it takes. Safe during transaction abort:
// never throws, never ereports, never services interrupts. Returns the
// event's sequence number in this database's queue, or 0 if it could not be
// queued (no queue slot, or an event larger than half the queue: a WARNING).
uint64_t enqueue(const std::string& record) noexcept;
// Normal (non-abort) path: waits until the queue has room for a statement's
// events (64 kB, or half the queue), servicing interrupts, so that a full
// queue holds the statement back where a cancel can still end it (with an
// ERROR; its events are then queued by the abort path). Throws gdpr::PgError.
void wait_for_room();
// Waits until every event up to `seq` is committed by the writer. Services
// interrupts (a cancel ends the wait with an ERROR); `timeout_ms` < 0 waits
// for ever, otherwise throws gdpr::Error when it runs out.
void wait_durable(uint64_t seq, int timeout_ms);
// The sequence number of the last event queued in this database (0: none).
uint64_t last_enqueued() noexcept;
// The chain head (last event id and mac) the writer of this database has
// committed since the server started, and the oid of the gdpr.audit_log it
// went into (a re-created extension starts a new chain); id 0 when unknown.
void committed_head(int64_t& id, Digest& mac, Oid& table) noexcept;

// --- the writer ---

// Records copied out of the ring into one buffer (one allocation per batch,
// not per event).
struct Batch {
  std::string data;                       // the records, back to back
  std::vector<std::string_view> records;  // into data
  uint64_t bytes = 0;                     // ring bytes the records occupy (with their length words)
};
// Attaches the calling process as the writer of slot `slot`, which must be
// assigned to `database`. False: another writer is attached or the slot moved.
bool attach_writer(int slot, Oid database) noexcept;
void detach_writer(int slot) noexcept;
// Detaches the writer if its queue is empty, atomically with respect to
// producers (who then start a new writer for their next event). An idle
// writer leaves so that DROP DATABASE and CREATE DATABASE ... TEMPLATE, which
// wait for a database's sessions to end, are not held up by it.
bool retire_if_idle(int slot) noexcept;
// Copies queued records (oldest first, up to max_bytes) without freeing them.
Batch peek(int slot, size_t max_bytes);
// Frees a peeked batch once it is committed and publishes the chain head,
// with the key of the event after it (`next_key`, nullptr: no chain).
void release(int slot, const Batch& batch, int64_t head_id, const Digest& head_mac, Oid table,
             const Digest* next_key) noexcept;
// The key of event `next_id` of the chain in `table`, as the previous writer
// of the slot left it; false when it left none for exactly that event (the
// server restarted, or the log changed): the new writer then ratchets from
// the first key.
bool next_key(int slot, Oid table, int64_t next_id, Digest& key) noexcept;
// Queued bytes of the slot.
uint64_t pending_bytes(int slot) noexcept;
// True when the writer should not wait for its next round: the queue is at
// least half full, or a backend waits for events to be committed
// (gdpr.audit_sync, gdpr.audit_flush()).
bool urgent(int slot) noexcept;

}  // namespace gdpr::audit::queue
