-- gdpr_access_report(identifier): who has seen a person's data. Her rows are
-- found as gdpr_find finds them; the events come from the audit log.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE SCHEMA access_t;
SET search_path = access_t, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, email text, phone text);
CREATE TABLE tickets (id bigint PRIMARY KEY, contact_id bigint REFERENCES contacts, requester_email text,
                      subject text);
SECURITY LABEL FOR gdpr ON COLUMN contacts.name IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.requester_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.subject IS 'free_text';
INSERT INTO contacts VALUES (1, 'Jane Doe', 'jane@example.com', '+421905123456'),
                            (2, 'John Roe', 'john@example.com', '+421905999888');
INSERT INTO tickets VALUES (10, 1, 'Jane@Example.com', 'refund please'),
                           (11, 2, 'john@example.com', 'invoice'),
                           (12, NULL, 'stranger@example.com', 'call 0905 123 456 about it');

CREATE ROLE access_officer;
GRANT gdpr_dpo TO access_officer;
CREATE ROLE access_agent;
GRANT USAGE ON SCHEMA access_t TO access_agent;
GRANT SELECT ON ALL TABLES IN SCHEMA access_t TO access_agent;

-- Earlier history (the writes above) is not what this test is about.
SELECT gdpr.audit_flush() IS NULL AS flushed;
SELECT coalesce(max(id), 0) AS before_id FROM gdpr.audit_log \gset

-- The agent, acting as "anna", opens ticket 10 (Jane's), ticket 11 (John's)
-- and ticket 12 (a stranger's, mentioning Jane's number), counts contacts
-- and reads every contact's phone.
SET ROLE access_agent;
SET gdpr.actor = 'anna';
SELECT id, requester_email FROM tickets WHERE id = 10;
SELECT id, subject FROM tickets WHERE id = 11;
SELECT id, subject FROM tickets WHERE id = 12;
SELECT count(*) FROM contacts;                       -- no personal data returned: no row keys
SELECT phone FROM contacts ORDER BY id;
RESET ROLE;
SELECT gdpr.audit_flush() IS NULL AS flushed;

-- Jane's report: the read of ticket 10, of ticket 12 (her number in its free
-- text) and of the phone of her contact row. Nothing about ticket 11
-- (John's), nor the count(*), which returned nothing personal.
SET ROLE access_officer;
SELECT actor, operation, relation, row_key, columns, exact
  FROM gdpr_access_report('jane@example.com') r
 WHERE r.event_id > :before_id
 ORDER BY event_id, row_key::text;
-- The same person by phone number, in another notation.
SELECT count(*) AS same_events
  FROM gdpr_access_report('0905 123 456') r WHERE r.event_id > :before_id;
RESET ROLE;

-- Only compliance officers may ask.
SET ROLE access_agent;
SELECT count(*) FROM gdpr_access_report('jane@example.com');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- An empty identifier is refused.
SELECT count(*) FROM gdpr_access_report('  ');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

DROP SCHEMA access_t CASCADE;
DROP ROLE access_officer;
DROP ROLE access_agent;
