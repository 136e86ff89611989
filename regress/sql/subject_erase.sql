-- gdpr_erase: dry run, erase modes (delete / anonymize), foreign-key order,
-- redaction of mentions inside text about two people, the erasure log,
-- idempotence.
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

-- A dry run reports what would happen and changes nothing.
SELECT jsonb_pretty(gdpr_erase('jane.doe@example.com', dry_run => true) - 'request_id');
SELECT count(*) AS still_found FROM gdpr_find('jane.doe@example.com');
SELECT count(*) AS erasures_logged FROM gdpr.erasures;

-- The erasure. The report has a request id and per-table counts:
-- contacts, tickets, ticket_messages, recordings: erase=delete, deleted
-- (dependent rows first: recordings before calls' anonymisation does not
-- matter, messages before tickets before contacts);
-- calls: erase=anonymize, her three calls keep duration and cost;
-- John's message: only the mention of her e-mail is redacted.
SELECT (r ->> 'request_id') IS NOT NULL AS has_request_id, jsonb_pretty(r - 'request_id')
  FROM gdpr_erase('Jane.Doe@example.com') AS r;

-- Nothing of hers is found again, by any identifier she had.
SELECT count(*) FROM gdpr_find('jane.doe@example.com');
SELECT count(*) FROM gdpr_find('+421 905 123 456');

SELECT * FROM contacts ORDER BY id;
-- Billing survives: duration and cost kept, phone columns (NOT NULL) get the
-- placeholder, the transcript (nullable) NULL, the link to the deleted contact NULL.
SELECT * FROM calls ORDER BY id;
SELECT * FROM recordings ORDER BY id;
SELECT * FROM tickets ORDER BY id;
-- John's message mentioned Jane and John: only Jane's address is replaced.
SELECT * FROM ticket_messages ORDER BY id;
-- John is untouched.
SELECT count(*) AS johns_rows FROM gdpr_find('john@example.org');

-- The log: who, when, counts, and keyed hashes only (64 hex digits each, one
-- per identifier: her e-mail and her phone); no personal data in clear.
SELECT actor = current_user AS actor_ok, at <= now() AS at_ok, jsonb_pretty(tables) AS tables,
       cardinality(identifier_hashes) AS identifiers,
       (SELECT bool_and(h ~ '^[0-9a-f]{64}$') FROM unnest(identifier_hashes) h) AS only_hashes,
       e::text !~* 'jane|doe|@|\+421' AS no_clear_text
  FROM gdpr.erasures e;

-- Running it again is harmless: nothing left, a second log entry with zero counts.
SELECT jsonb_pretty(gdpr_erase('jane.doe@example.com') - 'request_id');
SELECT count(*) FROM gdpr.erasures;
-- The actor comes from gdpr.actor when the proxy set it (in a session of its
-- own: once set, the actor of a session cannot change).
\c -
SET client_min_messages = warning;
SET search_path = subj, public;
SET gdpr.actor = 'dora';
SELECT gdpr_erase('nobody@example.com') ->> 'tables';
SELECT actor FROM gdpr.erasures ORDER BY at DESC, actor LIMIT 1;
\c -
SET client_min_messages = warning;
SET search_path = subj, public;

-- All or nothing: when one part fails (here: an anonymize table with a NOT
-- NULL non-text tagged column), nothing is erased.
CREATE TABLE devices (id int PRIMARY KEY, owner_email text NOT NULL, imei bigint NOT NULL);
SECURITY LABEL FOR gdpr ON COLUMN devices.owner_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN devices.imei IS 'identifier';
SECURITY LABEL FOR gdpr ON TABLE devices IS 'erase=anonymize';
INSERT INTO devices VALUES (1, 'john@example.org', 356938035643809);
SELECT gdpr_erase('john@example.org');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS johns_rows_kept FROM gdpr_find('john@example.org');
SELECT count(*) AS johns_contact_kept FROM contacts WHERE id = 2;

-- Foreign-key order across a deeper chain: order lines -> orders -> customers,
-- all erase=delete; children go first or the delete would fail.
CREATE TABLE customers (id int PRIMARY KEY, email text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers);
CREATE TABLE order_lines (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders, item text);
SECURITY LABEL FOR gdpr ON COLUMN customers.email IS 'email; subject';
INSERT INTO customers VALUES (1, 'kim@example.com'), (2, 'lee@example.com');
INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2);
INSERT INTO order_lines VALUES (100, 10, 'modem'), (101, 11, 'cable'), (102, 12, 'router');
SELECT gdpr_erase('kim@example.com') -> 'tables';
SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders,
       (SELECT count(*) FROM order_lines) AS lines;

DROP SCHEMA subj CASCADE;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
