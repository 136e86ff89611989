-- An interrupted retention run: what its batches did stays committed, and the
-- next run resumes with the rows still past retention. A run that fails is
-- recorded with its error in gdpr.retention_runs.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;  -- an earlier test may leave it installed
\set VERBOSITY terse
-- Not about audit; and DROP EXTENSION can race the audit writer (reported).
SET gdpr.audit = off;
CREATE SCHEMA res;
SET search_path = res, public;
CREATE TABLE events (id bigint PRIMARY KEY, email text, at timestamptz NOT NULL);
SECURITY LABEL FOR gdpr ON COLUMN events.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON TABLE events IS 'erase=delete; retention=30 days; retention_column=at';
INSERT INTO events SELECT i, 'p' || i || '@example.com', now() - interval '60 days' + i * interval '1 minute'
  FROM generate_series(1, 10) i;
INSERT INTO events VALUES (11, 'young@example.com', now());

-- Interruption: a run that did two batches of 3 (the oldest 6 rows) when its
-- session ended (here: its state is dropped and its lock released).
SELECT gdpr._retention_step(gdpr._retention_step(gdpr._retention_start('manual', false, 3))) IS NOT NULL AS two_batches;
SELECT pg_advisory_unlock_all();
SELECT count(*) AS left_after_interruption, min(id) AS oldest_left FROM events;
SELECT id, finished_at IS NULL AS unfinished FROM gdpr.retention_runs;

-- A failure in the middle: a trigger refuses to delete row 9.
CREATE FUNCTION refuse_9() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.id = 9 THEN RAISE EXCEPTION 'row 9 is special'; END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER refuse_9 BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION refuse_9();
SET gdpr.retention_batch_size = 2;
CALL gdpr_apply_retention();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Rows 7 and 8 (the first batch) are gone; the failed batch (9, 10) rolled back.
SELECT id FROM events ORDER BY id;
SELECT id, rows_deleted, finished_at IS NOT NULL AS finished, error FROM gdpr.retention_runs ORDER BY id;

-- Fixed: the next run resumes and only the young row stays.
DROP TRIGGER refuse_9 ON events;
CALL gdpr_apply_retention() \gset run_
SELECT (:'run_report')::jsonb ->> 'rows_deleted' AS deleted;
SELECT id FROM events ORDER BY id;


DROP SCHEMA res CASCADE;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
