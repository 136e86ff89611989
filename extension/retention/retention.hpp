// Retention: rows whose retention period (table label 'retention=<interval>;
// retention_column=<col>') has passed are deleted or anonymised, by
// CALL gdpr_apply_retention() or by the background workers started here.
// The SQL side (what a run does) is sql/extension/50_retention.sql; this room
// only schedules runs: one launcher, one short-lived worker per database and
// round (docs/dba/retention.md).
#pragma once

namespace gdpr::retention {

namespace settings {
extern bool enabled;    // gdpr.retention_enabled
extern int interval_s;  // gdpr.retention_interval
extern int batch_size;  // gdpr.retention_batch_size (read by SQL through current_setting)
}  // namespace settings

// GUCs, and (under shared_preload_libraries) the launcher. Called from _PG_init.
void init_retention();

}  // namespace gdpr::retention
