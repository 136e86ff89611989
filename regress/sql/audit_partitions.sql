-- gdpr.audit_log is partitioned by the writer's clock (logged_at), one
-- partition per UTC day, created ahead by the writer; retention drops whole
-- old partitions and leaves a 'retention' checkpoint from which
-- gdpr_audit_verify() starts. Also: rows read through the partitions of a
-- tagged partitioned table are named in the parent's event.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set VERBOSITY terse
SHOW gdpr.audit_retention;

CREATE SCHEMA audit_p;
CREATE TABLE audit_p.people (id bigint PRIMARY KEY, email text);
SECURITY LABEL FOR gdpr ON COLUMN audit_p.people.email IS 'email; subject';
INSERT INTO audit_p.people SELECT g, 'p' || g || '@example.com' FROM generate_series(1, 10) g;
SELECT email FROM audit_p.people WHERE id = 1;
SELECT gdpr.audit_flush();

-- The log is partitioned; the writer made today's and tomorrow's partitions.
SELECT c.relkind, pg_get_partkeydef(c.oid) FROM pg_class c WHERE c.oid = 'gdpr.audit_log'::regclass;
SELECT count(*) >= 2 AS has_today_and_tomorrow FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'gdpr.audit_log'::regclass
   AND c.relname IN ('audit_log_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD'),
                     'audit_log_p' || to_char((now() AT TIME ZONE 'UTC') + interval '1 day', 'YYYYMMDD'));
-- Ids and logged_at grow together.
SELECT bool_and(ordered) AS logged_at_follows_id FROM (
  SELECT logged_at >= lag(logged_at, 1, '-infinity') OVER (ORDER BY id) AS ordered FROM gdpr.audit_log) s;
-- A point read is found through the single-key btree, not a scan of the log.
SET enable_seqscan = off;
SELECT count(*) AS read_of_1 FROM gdpr.access_events_for_rows('audit_p.people', ARRAY['{"id": 1}'::jsonb])
 WHERE operation = 'SELECT';
RESET enable_seqscan;
SELECT intact, first_bad_event FROM gdpr_audit_verify();
SELECT max(id) AS last_before_retention FROM gdpr.audit_log \gset

-- Retention (what the writer runs hourly with now() - gdpr.audit_retention):
-- a horizon after tomorrow drops every partition, and each drop leaves a
-- 'retention' checkpoint with its last event.
SELECT gdpr._audit_drop_partitions_before(now() + interval '3 days') >= 2 AS dropped;
SELECT count(*) AS events_left FROM gdpr.audit_log;
SELECT kind, event_id = :last_before_retention AS is_last_event FROM gdpr.audit_checkpoints
 WHERE kind = 'retention' ORDER BY event_id DESC LIMIT 1;

-- New events go on in a re-created partition; the retained chain verifies
-- from the checkpoint on.
SELECT email FROM audit_p.people WHERE id = 2;
SELECT gdpr.audit_flush();
SELECT min(id) = :last_before_retention + 1 AS continues_after_checkpoint FROM gdpr.audit_log;
SELECT intact, events_checked = (SELECT count(*) FROM gdpr.audit_log) AS all_checked, first_bad_event
  FROM gdpr_audit_verify();

-- Dropping retained events without the writer's checkpoint is caught: the
-- chain no longer starts right after the latest retention checkpoint.
SELECT min(id) AS first_retained FROM gdpr.audit_log \gset
BEGIN;
DELETE FROM gdpr.audit_log WHERE id = :first_retained;
SELECT intact, first_bad_event = :first_retained AS names_first_retained FROM gdpr_audit_verify();
ROLLBACK;

-- Only the writer manages partitions.
CREATE ROLE audit_p_officer;
GRANT gdpr_dpo TO audit_p_officer;
SET ROLE audit_p_officer;
SELECT gdpr._audit_drop_partitions_before(now());
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr._audit_ensure_partition(now() + interval '30 days');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A tagged partitioned table: rows come from the partitions' scans and are
-- named in the event of the table the statement named.
CREATE TABLE audit_p.calls (id bigint, year int, caller text, PRIMARY KEY (id, year)) PARTITION BY LIST (year);
CREATE TABLE audit_p.calls_2025 PARTITION OF audit_p.calls FOR VALUES IN (2025);
-- A partition whose columns are numbered differently from its parent's.
CREATE TABLE audit_p.calls_2026 (caller text, year int, id bigint NOT NULL, PRIMARY KEY (id, year));
ALTER TABLE audit_p.calls ATTACH PARTITION audit_p.calls_2026 FOR VALUES IN (2026);
SECURITY LABEL FOR gdpr ON COLUMN audit_p.calls.caller IS 'phone; subject';
INSERT INTO audit_p.calls VALUES (1, 2025, '+421905000001'), (2, 2026, '+421905000002'), (3, 2026, '+421905000003');
SELECT caller FROM audit_p.calls WHERE id IN (1, 3) ORDER BY id;
SELECT gdpr.audit_flush();
SELECT operation, relation, columns, row_keys, row_count, row_keys_complete FROM gdpr.audit_log
 WHERE relation = 'audit_p.calls'::regclass AND operation = 'SELECT' AND nesting_level = 0 ORDER BY id;

DROP SCHEMA audit_p CASCADE;
DROP ROLE audit_p_officer;
