// The shared-memory queue between backends (producers) and the audit writer
// of their database (the single consumer). See queue.cpp for the layout and
// the locking protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
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

struct Batch {
  std::vector<std::string> records;
  uint64_t bytes = 0;  // ring bytes the records occupy
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
// Frees a peeked batch once it is committed and publishes the chain head.
void release(int slot, const Batch& batch, int64_t head_id, const Digest& head_mac, Oid table) noexcept;
// Queued bytes of the slot.
uint64_t pending_bytes(int slot) noexcept;

}  // namespace gdpr::audit::queue
