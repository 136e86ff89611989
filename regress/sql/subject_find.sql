-- gdpr_find: every match kind (subject column, free text, linked), every
-- common phone notation, the subject graph and its limits.
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

-- By e-mail, in any letter case and with spaces around it. Jane's contact row
-- (subject column) gives her phone number, which finds her calls from any
-- notation; FKs lead to her call's recording and her ticket's messages
-- (linked); John's message only mentions her (free text). The hotline number
-- on her calls is NOT followed (calls has two phone columns: two parties),
-- so John's call 12 is not in the result.
SELECT * FROM gdpr_find('  JANE.doe@example.COM ');

-- By phone, in every notation: the same rows.
SELECT count(*) AS rows, string_agg(relation || row_key::text, ' ' ORDER BY relation::text, row_key) AS found
  FROM gdpr_find('+421 905 123 456');
SELECT count(*) FROM gdpr_find('00421905123456');
SELECT count(*) FROM gdpr_find('0905/123-456');
SELECT count(*) FROM gdpr_find('(0905) 123 456');
SELECT count(*) FROM gdpr_find('+421905123456');

-- A phone number with no contact row: only the calls it appears in, through
-- the subject column, and no following through calls (two-party table).
SELECT * FROM gdpr_find('+421 2 5000 1000');

-- John: his message 32 is his (author_email), and mentions him in free text too.
SELECT * FROM gdpr_find('john@example.org');

-- An identifier only ever mentioned in free text.
INSERT INTO ticket_messages VALUES (33, 21, 'john@example.org', 'Ask mary.major@example.net, or call 0911 555 666.');
SELECT * FROM gdpr_find('Mary.Major@example.net');
SELECT * FROM gdpr_find('+421911555666');

-- Unknown people find nothing.
SELECT count(*) FROM gdpr_find('nobody@example.com');

-- An identifier of no known kind is matched as a literal in subject columns.
CREATE TABLE members (id int PRIMARY KEY, member_no text, email text);
SECURITY LABEL FOR gdpr ON COLUMN members.member_no IS 'identifier; subject';
SECURITY LABEL FOR gdpr ON COLUMN members.email IS 'email; subject';
INSERT INTO members VALUES (1, 'M-0042', 'Jane.Doe@example.com'), (2, 'M-0043', NULL);
SELECT * FROM gdpr_find(' M-0042 ');
-- ... and her member row joins the graph when found by e-mail.
SELECT relation, row_key, columns, matched_by FROM gdpr_find('jane.doe@example.com') WHERE relation = 'members'::regclass;

-- Depth and cycles: a self-referencing chain of rows is followed to depth 5
-- and a cycle does not loop.
CREATE TABLE chain (id int PRIMARY KEY, parent int REFERENCES chain, email text);
SECURITY LABEL FOR gdpr ON COLUMN chain.email IS 'email; subject';
INSERT INTO chain VALUES (1, NULL, 'chain@example.com');
INSERT INTO chain SELECT i, i - 1, NULL FROM generate_series(2, 9) i;
SELECT row_key, matched_by FROM gdpr_find('chain@example.com');
UPDATE chain SET parent = 9 WHERE id = 1;  -- now a cycle
SELECT count(*) FROM gdpr_find('chain@example.com');

DROP SCHEMA subj CASCADE;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
