-- Row-access audit: what the executor records for each statement
-- (extension/audit/, docs/dba/audit.md). One event per statement and tagged
-- relation: operation, tagged columns touched, primary keys of the rows read
-- or changed, row count, outcome.
-- The extension may exist already (earlier tests); quietly either way.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set VERBOSITY terse
CREATE SCHEMA audit_t;
SET search_path = audit_t, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, email text, company text);
CREATE TABLE tickets (id bigint PRIMARY KEY, contact_id bigint REFERENCES contacts, requester_email text,
                      subject text, status text);
CREATE TABLE notes (code text PRIMARY KEY, body text);  -- a key that is not an integer
CREATE TABLE untagged (id bigint PRIMARY KEY, v text);
SECURITY LABEL FOR gdpr ON COLUMN contacts.name IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.requester_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.subject IS 'free_text';
SECURITY LABEL FOR gdpr ON COLUMN notes.body IS 'free_text';

-- The events since the previous call, on this test's tables. audit_flush()
-- waits until the writer has committed everything queued so far.
CREATE FUNCTION new_events()
RETURNS TABLE (op text, rel text, columns text[], row_keys jsonb, row_count bigint, outcome text,
               actor text, db_role text, masked boolean, depth integer)
LANGUAGE plpgsql AS $$
DECLARE
  seen bigint := coalesce(nullif(current_setting('audit_t.seen', true), ''), '0')::bigint;
BEGIN
  PERFORM gdpr.audit_flush();
  RETURN QUERY
    SELECT l.operation, l.relation_name, l.columns, l.row_keys, l.row_count, l.outcome, l.actor, l.db_role,
           l.masked, l.nesting_level
      FROM gdpr.audit_log l
     WHERE l.id > seen AND l.relation_name LIKE 'audit_t.%'
     ORDER BY l.id;
  PERFORM set_config('audit_t.seen', (SELECT coalesce(max(id), 0) FROM gdpr.audit_log)::text, false);
END
$$;
SELECT count(*) >= 0 AS reset FROM new_events();

-- Writes record the keys of the new rows and the tagged columns written.
INSERT INTO contacts VALUES (1, 'Jane', 'jane@example.com', 'ACME'), (2, 'Joe', 'joe@example.com', 'ACME'),
                            (3, 'Ann', 'ann@example.com', NULL);
INSERT INTO tickets (id, contact_id, requester_email, subject, status)
  VALUES (1, 1, 'jane@example.com', 'refund', 'open'), (2, 1, 'jane@example.com', 'login', 'open'),
         (3, 2, 'joe@example.com', 'invoice', 'open'), (4, 3, 'ann@example.com', 'broken', 'open'),
         (5, NULL, 'x@example.com', 'spam', 'open');
INSERT INTO notes VALUES ('a', 'first'), ('b', 'second'), ('c"q', 'third');
INSERT INTO untagged VALUES (1, 'not audited');
SELECT op, rel, columns, row_keys, row_count, outcome FROM new_events();

-- A point read records exactly that row.
SELECT * FROM tickets WHERE id = 5;
-- count(*) reads no personal data: the statement and its count, no keys.
SELECT count(*) FROM tickets;
-- A relation without tagged columns is not audited.
SELECT * FROM untagged;
SELECT op, rel, columns, row_keys, row_count FROM new_events();

-- A join records the keys of each tagged table whose personal data it read;
-- a table joined without reading its tagged columns gets an event without keys.
SELECT t.subject, c.email FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.id IN (1, 3) ORDER BY t.id;
SELECT t.id, c.company FROM tickets t JOIN contacts c ON c.id = t.contact_id WHERE t.id = 4;
SELECT op, rel, columns, row_keys, row_count FROM new_events();

-- A reader's rollback keeps the event; so does a statement that fails after
-- reading rows (here at the third row), with outcome 'error'.
BEGIN;
SELECT requester_email FROM tickets WHERE id = 4;
ROLLBACK;
SELECT subject, 1 / (id - 3) AS boom FROM tickets ORDER BY id;
SELECT op, rel, columns, row_keys, row_count, outcome FROM new_events();

-- UPDATE and DELETE: the changed rows' keys. A DELETE removes all of a row's
-- personal data, so every tagged column counts.
UPDATE tickets SET status = 'closed' WHERE id = 2;
UPDATE tickets SET subject = 'login (solved)' WHERE id = 2;
DELETE FROM notes WHERE code = 'b';
SELECT op, rel, columns, row_keys, row_count FROM new_events();

-- Keys that are not integers are listed as JSON values.
SELECT body FROM notes ORDER BY code;
SELECT op, rel, columns, row_keys, row_count FROM new_events();

-- Other statement forms: ON CONFLICT (the proposed `excluded` row is not a
-- read), a data-modifying WITH (its own verb), MERGE (matched rows; the rows
-- it inserts are in audit_copy_merge), and a cursor (only the rows fetched
-- before CLOSE).
INSERT INTO notes VALUES ('a', 'first again') ON CONFLICT (code) DO UPDATE SET body = excluded.body;
WITH gone AS (DELETE FROM notes WHERE code = 'c"q' RETURNING code) SELECT count(*) FROM gone;
MERGE INTO tickets t USING (VALUES (4, 'broken (merged)')) v(id, s) ON t.id = v.id
  WHEN MATCHED THEN UPDATE SET subject = v.s;
BEGIN;
DECLARE c CURSOR FOR SELECT requester_email FROM tickets ORDER BY id;
FETCH 2 FROM c;
CLOSE c;
COMMIT;
SELECT op, rel, columns, row_keys, row_count FROM new_events();

-- COPY of a table names its rows too (more in audit_copy_merge): the keys
-- COPY TO read; COPY FROM here writes no tagged column, so no keys.
COPY tickets (id, subject) TO stdout;
COPY notes (code) FROM stdin;
d
\.
SELECT op, rel, columns, row_keys, row_count FROM new_events();

-- Statements inside functions are audited at their nesting depth.
CREATE FUNCTION subject_of(ticket bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT subject FROM audit_t.tickets WHERE id = ticket);
END
$$;
SELECT subject_of(3);
SELECT op, rel, columns, row_keys, depth FROM new_events();

-- The actor is gdpr.actor when set (by gdpr-proxy), else the session user.
SET gdpr.actor = 'anna';
SELECT subject FROM tickets WHERE id = 1;
RESET gdpr.actor;
SELECT op, rel, row_keys, actor, db_role FROM new_events();

-- gdpr.audit_sync = on: the statement returns only once its event is
-- committed, so it is in the log at once (no gdpr.audit_flush() here).
SET gdpr.audit_sync = on;
SELECT subject FROM tickets WHERE id = 3;
RESET gdpr.audit_sync;
SELECT count(*) AS committed_already FROM gdpr.audit_log
 WHERE relation = 'audit_t.tickets'::regclass AND row_keys = '[3]' AND columns = '{subject}'
   AND id > current_setting('audit_t.seen')::bigint;
SELECT count(*) AS events FROM new_events();

-- A refused access is audited: nothing was read, so no keys.
CREATE ROLE audit_t_clerk;
GRANT USAGE ON SCHEMA audit_t TO audit_t_clerk;
GRANT SELECT (id, status) ON tickets TO audit_t_clerk;
SET ROLE audit_t_clerk;
SELECT requester_email FROM tickets WHERE id = 1;
SELECT id, status FROM tickets WHERE id = 1;
RESET ROLE;
SELECT op, rel, columns, row_keys, row_count, outcome, db_role FROM new_events();

-- Reading through a view owned by someone else (as the masking views of
-- gdpr policies are) is audited as masked, with the base columns it uses.
CREATE ROLE audit_t_owner;
GRANT USAGE ON SCHEMA audit_t TO audit_t_owner;
GRANT SELECT ON tickets TO audit_t_owner;
CREATE VIEW ticket_hints AS SELECT id, left(requester_email, 2) || '***' AS email_hint FROM tickets;
ALTER VIEW ticket_hints OWNER TO audit_t_owner;
GRANT SELECT ON ticket_hints TO audit_t_clerk;
SET ROLE audit_t_clerk;
SELECT * FROM ticket_hints WHERE id = 1;
RESET ROLE;
SELECT op, rel, columns, row_keys, masked, db_role FROM new_events();

-- Large results stay compact: integer keys become ranges.
INSERT INTO contacts SELECT g, 'n' || g, 'c' || g || '@example.com', NULL FROM generate_series(10, 5000) g;
SELECT count(email) FROM contacts;
-- Beyond gdpr.audit_max_keys the smallest gaps are merged: a superset of the
-- rows, marked incomplete.
SET gdpr.audit_max_keys = 2;
SELECT count(email) FROM contacts WHERE id % 2 = 0;
RESET gdpr.audit_max_keys;
SELECT op, columns, row_keys, row_count FROM new_events();
SELECT row_keys, key_ranges, row_keys_complete FROM gdpr.audit_log
 WHERE relation = 'audit_t.contacts'::regclass ORDER BY id DESC LIMIT 2;

-- gdpr.audit = off (superuser only) records nothing.
SET gdpr.audit = off;
SELECT email FROM contacts WHERE id = 1;
RESET gdpr.audit;
SELECT count(*) AS events FROM new_events();

-- Every event is signed and carries the statement's query id, except the
-- cursor's: PostgreSQL 15 computes none for the query of DECLARE CURSOR.
SELECT count(*) FILTER (WHERE query_id = 0) AS without_query_id, bool_and(mac IS NOT NULL) AS signed
  FROM gdpr.audit_log WHERE relation_name LIKE 'audit_t.%';

-- The index the subject-requests room uses: every event that touched a row.
SELECT operation, columns, row_keys
  FROM gdpr.access_events_for_rows('audit_t.tickets', ARRAY['{"id": 3}'::jsonb]) ORDER BY id;
SELECT operation, columns, row_keys
  FROM gdpr.access_events_for_rows('audit_t.notes', ARRAY['{"code": "c\"q"}'::jsonb]) ORDER BY id;
SELECT count(*) FROM gdpr.access_events_for_rows('audit_t.untagged', ARRAY['{"id": 1}'::jsonb]);

DROP SCHEMA audit_t CASCADE;
DROP ROLE audit_t_clerk;
DROP OWNED BY audit_t_owner;
DROP ROLE audit_t_owner;
