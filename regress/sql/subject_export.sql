-- gdpr_export: every matched row with all its columns (bytea as base64),
-- grouped by table, with each column's category, purpose and legal basis;
-- the same data exports the same document.
CREATE EXTENSION gdpr;
\set VERBOSITY terse
SET client_min_messages = warning;
-- Fixture (same in every subject_* test): -- A small copy of the demo domain: Jane (the data subject) and John.
CREATE SCHEMA subj;
SET search_path = subj, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, name text NOT NULL, email text, phone text);
CREATE TABLE calls (id bigint PRIMARY KEY, contact_id bigint REFERENCES contacts, caller text NOT NULL,
                    callee text NOT NULL, duration_s int NOT NULL, cost numeric(10, 2) NOT NULL, transcript text);
CREATE TABLE recordings (id bigint PRIMARY KEY, call_id bigint NOT NULL REFERENCES calls, audio bytea NOT NULL);
CREATE TABLE tickets (id bigint PRIMARY KEY, contact_id bigint REFERENCES contacts, requester_email text NOT NULL,
                      subject text NOT NULL);
CREATE TABLE ticket_messages (id bigint PRIMARY KEY, ticket_id bigint NOT NULL REFERENCES tickets,
                              author_email text NOT NULL, body text NOT NULL);
SECURITY LABEL FOR gdpr ON COLUMN contacts.name IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject; purpose=customer contact; basis=contract';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.caller IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.callee IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.transcript IS 'free_text';
SECURITY LABEL FOR gdpr ON TABLE calls IS 'erase=anonymize';
SECURITY LABEL FOR gdpr ON COLUMN recordings.audio IS 'recording';
SECURITY LABEL FOR gdpr ON COLUMN tickets.requester_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.subject IS 'free_text';
SECURITY LABEL FOR gdpr ON COLUMN ticket_messages.author_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN ticket_messages.body IS 'free_text';

INSERT INTO contacts VALUES
  (1, 'Jane Doe', 'Jane.Doe@Example.com', '+421905123456'),
  (2, 'John Roe', 'john@example.org', '+421911222333');
INSERT INTO calls VALUES
  (10, 1, '0905/123-456', '+421 2 5000 1000', 60, 1.20, 'Jane asks to write to jane.doe@example.com'),
  (11, NULL, '00421 905 123 456', '+421 2 5000 1000', 30, 0.60, NULL),   -- her number, contact unknown
  (12, 2, '+421911222333', '+421 2 5000 1000', 90, 1.80, 'John asks about his invoice'),
  (13, NULL, '+421 2 5000 1000', '(0905) 123 456', 45, 0.90, NULL);      -- the hotline calls her back
INSERT INTO recordings VALUES (100, 10, '\xdeadbeef'), (101, 12, '\xcafe');
INSERT INTO tickets VALUES
  (20, 1, 'JANE.DOE@example.com', 'Router broken'),
  (21, 2, 'john@example.org', 'Invoice question');
INSERT INTO ticket_messages VALUES
  (30, 20, 'jane.doe@example.com', 'My router is broken, call me at +421 905 123 456'),
  (31, 20, 'support@example.net', 'We will call you tomorrow.'),
  (32, 21, 'john@example.org', 'Please cc my neighbour Jane.Doe@EXAMPLE.com and me (john@example.org).');

SELECT gdpr_export('jane.doe@example.com') AS doc \gset
-- What kind of identifier was asked for, and the tables found.
SELECT :'doc'::jsonb ->> 'identifier_kind' AS kind, jsonb_pretty(to_jsonb(ARRAY(SELECT jsonb_object_keys(:'doc'::jsonb -> 'tables')))) AS tables;
-- Rows per table, in row-key order, with how each was matched.
SELECT t.key AS table_name, r ->> 'row_key' AS row_key, r ->> 'matched_by' AS matched_by, r -> 'matched_columns' AS matched_columns
  FROM jsonb_each(:'doc'::jsonb -> 'tables') t, jsonb_array_elements(t.value -> 'rows') r
 ORDER BY 1, (r -> 'row_key' ->> 'id')::int;
-- Every column of the row is exported; bytea as base64 (\xdeadbeef = 3q2+7w==).
SELECT jsonb_pretty(:'doc'::jsonb #> '{tables,subj.contacts,rows,0,data}');
SELECT :'doc'::jsonb #>> '{tables,subj.recordings,rows,0,data,audio}' AS audio_base64;
-- What each column is and why it is kept, from the catalog (untagged: null).
SELECT jsonb_pretty(:'doc'::jsonb #> '{tables,subj.contacts,columns}');
-- Who accessed her rows comes from the row-access audit's
-- gdpr.access_events_for_rows(regclass, jsonb[]); without it the document
-- says so instead of pretending nobody did.
SELECT CASE WHEN to_regprocedure('gdpr.access_events_for_rows(regclass,jsonb[])') IS NULL
            THEN :'doc'::jsonb ->> 'access_history' = 'not available: the row-access audit is not installed'
                 AND :'doc'::jsonb #> '{tables,subj.contacts,accessed_by}' = 'null'
            ELSE :'doc'::jsonb ->> 'access_history' = 'included'
                 AND jsonb_typeof(:'doc'::jsonb #> '{tables,subj.contacts,accessed_by}') = 'array'
       END AS access_history_ok;
-- Deterministic: the same data, the same document, whichever notation is
-- asked. (The access history is left out of the comparison: with the audit
-- installed, reading her rows for the export is itself a new access.)
CREATE FUNCTION pg_temp.without_access(doc jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT doc || jsonb_build_object('tables', (SELECT coalesce(jsonb_object_agg(key, value - 'accessed_by'), '{}')
                                                FROM jsonb_each(doc -> 'tables'))) $$;
SELECT pg_temp.without_access(gdpr_export('jane.doe@example.com')) = pg_temp.without_access(:'doc') AS same_again,
       pg_temp.without_access(gdpr_export('0905/123-456')) -> 'tables'
         = pg_temp.without_access(:'doc') -> 'tables' AS same_by_phone;
-- A person we hold nothing about gets an empty document, not an error.
SELECT gdpr_export('nobody@example.com') -> 'tables' AS tables;

DROP SCHEMA subj CASCADE;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
