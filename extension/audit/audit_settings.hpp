// GUCs of the audit room, defined in audit/init.cpp.
#pragma once

namespace gdpr::audit::settings {
extern bool sync;          // gdpr.audit_sync: statements wait until their events are committed
extern int flush_ms;       // gdpr.audit_flush_ms: the writer's batching interval
extern int queue_kb;       // gdpr.audit_queue_kb: queue size per database (postmaster)
extern int max_keys;       // gdpr.audit_max_keys: key entries kept per event before compacting
extern int retention_min;  // gdpr.audit_retention: minutes; 0 keeps the log for ever
}  // namespace gdpr::audit::settings
