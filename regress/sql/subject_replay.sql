-- gdpr_replay_erasures: after restoring data from a backup taken before an
-- erasure, re-applying the log erases the person again, from hashes only.
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

-- "Backup": copies of every table.
CREATE TABLE backup_contacts AS SELECT * FROM contacts;
CREATE TABLE backup_calls AS SELECT * FROM calls;
CREATE TABLE backup_recordings AS SELECT * FROM recordings;
CREATE TABLE backup_tickets AS SELECT * FROM tickets;
CREATE TABLE backup_messages AS SELECT * FROM ticket_messages;

SELECT gdpr_erase('jane.doe@example.com') -> 'identifiers' AS identifiers_erased;
SELECT count(*) AS found_after_erase FROM gdpr_find('jane.doe@example.com');

-- "Restore": the old rows come back the way pg_restore --disable-triggers
-- loads them, so the subject index does not know them yet (the erasure log
-- itself is kept: see docs/compliance/subject-requests.md).
TRUNCATE ticket_messages, tickets, recordings, calls, contacts;
SET session_replication_role = replica;
INSERT INTO contacts SELECT * FROM backup_contacts;
INSERT INTO calls SELECT * FROM backup_calls;
INSERT INTO recordings SELECT * FROM backup_recordings;
INSERT INTO tickets SELECT * FROM backup_tickets;
INSERT INTO ticket_messages SELECT * FROM backup_messages;
RESET session_replication_role;
SELECT name, email FROM contacts ORDER BY id;

-- Replay: the same erasure again, driven by the logged hashes alone.
SELECT jsonb_pretty(gdpr_replay_erasures());
SELECT count(*) AS found_after_replay FROM gdpr_find('jane.doe@example.com');
SELECT count(*) AS found_by_phone FROM gdpr_find('+421 905 123 456');
SELECT * FROM ticket_messages ORDER BY id;
SELECT id, caller, callee, duration_s, cost FROM calls ORDER BY id;
-- Replay is idempotent and adds no log entries.
SELECT gdpr_replay_erasures() -> 'tables' AS second_replay;
SELECT count(*) AS log_entries FROM gdpr.erasures;

DROP SCHEMA subj CASCADE;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
