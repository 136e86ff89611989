-- COPY and MERGE name the rows they move (extension/audit/copy.hpp and
-- capture_rows.cpp): COPY table TO records the keys of the rows it read,
-- COPY table FROM the keys of the rows it inserted, and MERGE the rows its
-- INSERT actions created as well as the rows it matched.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set VERBOSITY terse
CREATE SCHEMA audit_cm;
SET search_path = audit_cm, public;
CREATE TABLE people (id bigserial PRIMARY KEY, email text, note text,
                     loud text GENERATED ALWAYS AS (upper(note)) STORED);
CREATE TABLE codes (code text PRIMARY KEY, body text);   -- a key that is not an integer
CREATE TABLE nokey (email text);                         -- no primary key
CREATE TABLE parts (id bigint, year int, phone text, PRIMARY KEY (id, year)) PARTITION BY LIST (year);
CREATE TABLE parts_2025 PARTITION OF parts FOR VALUES IN (2025);
CREATE TABLE parts_2026 PARTITION OF parts FOR VALUES IN (2026);
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN codes.body IS 'free_text';
SECURITY LABEL FOR gdpr ON COLUMN nokey.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN parts.phone IS 'phone; subject';
INSERT INTO people (email, note) VALUES ('a@example.com', 'one'), ('b@example.com', 'two'),
                                        ('c@example.com', 'three');

-- The events since the previous call, on this test's tables.
CREATE FUNCTION new_events()
RETURNS TABLE (op text, rel text, columns text[], row_keys jsonb, complete boolean, row_count bigint,
               outcome text)
LANGUAGE plpgsql AS $$
DECLARE
  seen bigint := coalesce(nullif(current_setting('audit_cm.seen', true), ''), '0')::bigint;
BEGIN
  PERFORM gdpr.audit_flush();
  RETURN QUERY
    SELECT l.operation, l.relation_name, l.columns, l.row_keys, l.row_keys_complete, l.row_count, l.outcome
      FROM gdpr.audit_log l
     WHERE l.id > seen AND l.relation_name LIKE 'audit_cm.%' AND l.nesting_level = 0
     ORDER BY l.id;
  PERFORM set_config('audit_cm.seen', (SELECT coalesce(max(id), 0) FROM gdpr.audit_log)::text, false);
END
$$;
SELECT count(*) >= 0 AS reset FROM new_events();

-- COPY TO: the keys of the rows read, under the COPY's own operation and
-- query id. The output is COPY's as always: the columns it copies by
-- default (not the generated one), in the table's order.
COPY people TO stdout;
COPY people (note, id) TO stdout WITH (FORMAT csv, HEADER);
-- Without personal data in the column list: the count, no keys.
COPY people (id, note) TO stdout;
SELECT * FROM new_events();
SELECT count(*) AS copy_events_with_query_id FROM gdpr.audit_log
 WHERE relation = 'audit_cm.people'::regclass AND operation = 'COPY TO' AND query_id <> 0;

-- What PostgreSQL refuses it still refuses, with its own message; the
-- attempt is recorded.
COPY people (email, email) TO stdout;
COPY parts TO stdout;
SELECT op, rel, columns, row_keys, outcome FROM new_events();

-- A refused COPY is audited as refused: nothing was read.
CREATE ROLE audit_cm_clerk;
GRANT USAGE ON SCHEMA audit_cm TO audit_cm_clerk;
GRANT SELECT (id, note) ON people TO audit_cm_clerk;
SET ROLE audit_cm_clerk;
COPY people TO stdout;
COPY people (id, note) TO stdout;
RESET ROLE;
SELECT op, columns, row_keys, row_count, outcome FROM new_events();

-- COPY FROM: the keys of the rows inserted, generated ids included; rows
-- its own WHERE clause skips are not inserted and not recorded.
COPY people (email, note) FROM stdin;
d@example.com	four
e@example.com	five
\.
COPY people (email) FROM stdin WHERE email LIKE '%keep%';
skip@example.com
keep@example.com
\.
COPY codes FROM stdin;
x	first
y	second
\.
COPY parts FROM stdin (FORMAT csv);
1,2025,+421905000001
2,2026,+421905000002
\.
-- Without a primary key the rows cannot be named: the count, marked incomplete.
COPY nokey FROM stdin;
z@example.com
\.
-- Writing no personal data: no keys, as for INSERT.
COPY people (note) FROM stdin;
six
\.
SELECT * FROM new_events();
SELECT email FROM people WHERE email LIKE '%@example.com' AND id > 3 ORDER BY id;

-- The same for a role that is not a superuser (the function the rewritten
-- COPY calls is everyone's).
GRANT INSERT ON people TO audit_cm_clerk;
GRANT USAGE ON SEQUENCE people_id_seq TO audit_cm_clerk;
SET ROLE audit_cm_clerk;
COPY people (email) FROM stdin;
clerk@example.com
\.
RESET ROLE;
SELECT op, columns, row_keys, outcome FROM new_events();

-- A COPY FROM that fails half-way keeps the event of the rows it attempted.
COPY codes FROM stdin;
w	new
x	duplicate
\.
SELECT op, rel, row_keys, outcome FROM new_events();

-- Called anywhere but in an audited COPY, the WHERE function does nothing.
SELECT gdpr_public.audit_copy_row(1::bigint) AS passes;

-- MERGE: matched rows through the target's scan, inserted rows through the
-- INSERT action.
MERGE INTO people p USING (VALUES (1, 'a2@example.com'), (100, 'new@example.com')) v(id, email) ON p.id = v.id
  WHEN MATCHED THEN UPDATE SET email = v.email
  WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, v.email);
-- Only the rows an action's condition lets through are inserted.
MERGE INTO codes c USING (VALUES ('p', 'kept'), ('q', 'dropped')) v(code, body) ON c.code = v.code
  WHEN NOT MATCHED AND v.body = 'kept' THEN INSERT VALUES (v.code, v.body)
  WHEN NOT MATCHED THEN DO NOTHING;
-- Into a partitioned table: the rows are routed to partitions; the keys
-- are the parent's.
MERGE INTO parts t USING (VALUES (3, 2025, '+421905000003'), (1, 2025, '+421905000009')) v(id, year, phone)
  ON t.id = v.id AND t.year = v.year
  WHEN MATCHED THEN UPDATE SET phone = v.phone
  WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.year, v.phone);
SELECT op, rel, columns, row_keys, row_count FROM new_events();
SELECT id, year, phone FROM parts ORDER BY id;
SELECT op, rel, row_keys FROM new_events();

-- The keys are found by the access report's index like any others.
SELECT operation FROM gdpr.access_events_for_rows('audit_cm.people', ARRAY['{"id": 100}'::jsonb]) ORDER BY id;
SELECT operation FROM gdpr.access_events_for_rows('audit_cm.codes', ARRAY['{"code": "y"}'::jsonb]) ORDER BY id;
SELECT intact, first_bad_event FROM gdpr_audit_verify();

DROP SCHEMA audit_cm CASCADE;
DROP OWNED BY audit_cm_clerk;
DROP ROLE audit_cm_clerk;
