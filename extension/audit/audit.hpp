// The row-access audit room: who read or changed which rows of which tagged
// columns, recorded in the executor, queued through shared memory, and
// written by one background writer per database into a tamper-evident chain
// in gdpr.audit_log. docs/dba/audit.md explains the design.
#pragma once

#include <cstdint>

namespace gdpr::audit {

// Called from _PG_init: GUCs, and when loaded by shared_preload_libraries,
// the shared-memory queue and the executor hooks.
void init_audit();

// hooks.cpp
void install_executor_hooks();
void mark_audit_writer() noexcept;  // the writer's own statements are not audited
uint64_t last_queued_event() noexcept;

}  // namespace gdpr::audit
