-- Retention: rows older than their table's period are anonymised (erase=anonymize)
-- or deleted (erase=delete) by CALL gdpr_apply_retention(); younger rows stay;
-- a row another row still refers to stays; anonymised rows are not picked
-- again; gdpr.retention_runs and gdpr.retention_status tell what happened.
-- (A malformed retention label is refused when it is set: catalog_errors.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;  -- an earlier test may leave it installed
\set VERBOSITY terse
-- Not about audit; and DROP EXTENSION can race the audit writer (reported).
SET gdpr.audit = off;
CREATE SCHEMA ret;
SET search_path = ret, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, email text, phone text, created_at timestamptz NOT NULL);
CREATE TABLE calls (id bigint PRIMARY KEY, contact_id bigint REFERENCES contacts, caller text NOT NULL,
                    callee text NOT NULL, started_at timestamptz NOT NULL, cost numeric(10, 2) NOT NULL,
                    transcript text);
CREATE INDEX ON calls (started_at);
CREATE TABLE recordings (id bigint PRIMARY KEY, call_id bigint NOT NULL REFERENCES calls, audio bytea NOT NULL,
                         created_at timestamptz NOT NULL);
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON TABLE contacts IS 'erase=delete; retention=5 years; retention_column=created_at';
SECURITY LABEL FOR gdpr ON COLUMN calls.caller IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.callee IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.transcript IS 'free_text';
SECURITY LABEL FOR gdpr ON TABLE calls IS 'erase=anonymize; retention=2 years; retention_column=started_at';
SECURITY LABEL FOR gdpr ON COLUMN recordings.audio IS 'recording';
SECURITY LABEL FOR gdpr ON TABLE recordings IS 'erase=delete; retention=90 days; retention_column=created_at';

-- A bad retention label is refused when it is set (more in catalog_errors).
SECURITY LABEL FOR gdpr ON TABLE calls IS 'erase=anonymize; retention=two years; retention_column=started_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Contacts 1 and 2 are 6 years old (1 still has a young call), 3 is new.
INSERT INTO contacts VALUES (1, 'jane@example.com', '+421905111111', now() - interval '6 years'),
                            (2, 'old@example.com', '+421905222222', now() - interval '6 years'),
                            (3, 'new@example.com', '+421905333333', now() - interval '1 year');
-- Calls 1..6 are 3 years old, 7..10 one year old; contact 2 has only old calls (1, 3, 5).
INSERT INTO calls SELECT i, CASE WHEN i % 2 = 1 AND i <= 6 THEN 2 ELSE 1 END, '+421905111111', '+421905999999',
                         now() - CASE WHEN i <= 6 THEN interval '3 years' ELSE interval '1 year' END - i * interval '1 hour',
                         i, 'call ' || i || ', ring me at +421905111111'
                    FROM generate_series(1, 10) i;
-- Recordings 1..3 are 100 days old, 4..5 ten days old.
INSERT INTO recordings SELECT i, i + 5, '\x00ff', now() - CASE WHEN i <= 3 THEN interval '100 days' ELSE interval '10 days' END
                         FROM generate_series(1, 5) i;

-- What the next run removes; recordings (they refer to calls) come first.
SELECT relation, erase, retention, retention_column, rows_past_retention, rows_held, rows_referenced, rows_to_remove
  FROM gdpr_retention_preview();
SELECT relation, retention, retention_column, retention_overdue, oldest_row_age > interval '3 years' AS older_than_3y
  FROM gdpr.retention_status ORDER BY relation::text;

-- A dry run reports the same and changes nothing (the report is the
-- procedure's INOUT parameter; \gset keeps its timestamps out of this file).
CALL gdpr_apply_retention(dry_run => true) \gset dry_
SELECT t.key AS relation, t.value ->> 'rows_to_remove' AS to_remove, t.value ->> 'rows_referenced' AS referenced
  FROM jsonb_each((:'dry_report')::jsonb -> 'tables') t ORDER BY 1;
SELECT (:'dry_report')::jsonb ? 'run_id' AS logged_as_run;
SELECT (SELECT count(*) FROM calls WHERE caller <> '[erased]') AS calls_with_numbers,
       (SELECT count(*) FROM recordings) AS recordings, (SELECT count(*) FROM contacts) AS contacts,
       (SELECT count(*) FROM gdpr.retention_runs) AS runs_logged;

-- The run, in batches of 2 rows.
SET gdpr.retention_batch_size = 2;
CALL gdpr_apply_retention() \gset run_
SELECT (:'run_report')::jsonb ->> 'rows_deleted' AS deleted, (:'run_report')::jsonb ->> 'rows_anonymized' AS anonymized;
SELECT t.key AS relation, t.value ->> 'erase' AS erase, t.value ->> 'rows_past_retention' AS past,
       t.value ->> 'rows_deleted' AS deleted, t.value ->> 'rows_anonymized' AS anonymized,
       t.value ->> 'rows_referenced' AS referenced, t.value ->> 'batches' AS batches
  FROM gdpr.retention_runs r, jsonb_each(r.tables) t ORDER BY t.key;

-- Old calls: numbers erased, transcript gone, the link to the contact cut;
-- billing keeps the cost. Young calls are untouched.
SELECT id, contact_id, caller, callee, transcript IS NULL AS transcript_gone, cost FROM calls ORDER BY id;
SELECT id, call_id FROM recordings ORDER BY id;
-- Contact 2 is gone (its calls were anonymised first, which cut their link);
-- contact 1 stays while its young calls refer to it; 3 is young.
SELECT id, email FROM contacts ORDER BY id;
-- The subject index follows (its triggers): Jane's old calls are no longer hers.
SELECT relation, row_key FROM gdpr_find('+421905111111') WHERE relation = 'calls'::regclass ORDER BY row_key;

-- A second run finds nothing new: anonymised rows are recognised by their values.
CALL gdpr_apply_retention() \gset run_
SELECT id, trigger, rows_deleted, rows_anonymized, rows_held, finished_at >= started_at AS finished,
       duration IS NOT NULL AS timed, error FROM gdpr.retention_runs ORDER BY id;
SELECT relation, rows_past_retention, rows_to_remove FROM gdpr_retention_preview();
SELECT relation, retention_overdue FROM gdpr.retention_status ORDER BY relation::text;

-- Errors: inside a transaction block it cannot commit its batches; NULL dry_run;
-- a batch size below 1; a caller who is not a compliance officer.
BEGIN;
CALL gdpr_apply_retention();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK;
CALL gdpr_apply_retention(dry_run => NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SET gdpr.retention_batch_size = 0;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE ROLE regress_retention_clerk;
CREATE ROLE regress_retention_officer;
GRANT gdpr_dpo TO regress_retention_officer;
GRANT USAGE ON SCHEMA ret TO regress_retention_clerk;
SET ROLE regress_retention_clerk;
CALL gdpr_apply_retention(dry_run => true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_retention_preview();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A compliance officer may run it (no rights on the tables needed).
SET ROLE regress_retention_officer;
CALL gdpr_apply_retention(dry_run => true) \gset officer_
SELECT relation, rows_to_remove FROM gdpr_retention_preview();
RESET ROLE;

DROP SCHEMA ret CASCADE;
DROP ROLE regress_retention_clerk, regress_retention_officer;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
