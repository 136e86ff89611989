-- Tamper evidence of gdpr.audit_log (extension/audit/chain.hpp): every event
-- carries HMAC-SHA-256(k_n, event || previous mac) with a key that ratchets
-- forward per event. gdpr_audit_verify() names the first event that does not
-- check out, even when a superuser edited the table. Each tampering below is
-- rolled back afterwards.
-- The extension may exist already (earlier tests); quietly either way.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set VERBOSITY terse
CREATE SCHEMA audit_c;
CREATE TABLE audit_c.people (id bigint PRIMARY KEY, email text);
SECURITY LABEL FOR gdpr ON COLUMN audit_c.people.email IS 'email; subject';
INSERT INTO audit_c.people SELECT g, 'p' || g || '@example.com' FROM generate_series(1, 10) g;
SELECT email FROM audit_c.people WHERE id = 1;
SELECT email FROM audit_c.people WHERE id = 2;
SELECT email FROM audit_c.people WHERE id = 3;
SELECT gdpr.audit_flush();

-- Untouched, the chain is intact and covers every event.
SELECT intact, events_checked = (SELECT count(*) FROM gdpr.audit_log) AS all_checked, first_bad_event
  FROM gdpr_audit_verify();

-- The event of the read of person 2: the one we tamper with.
SELECT id AS victim FROM gdpr.audit_log
 WHERE relation = 'audit_c.people'::regclass AND row_keys = '[2]' \gset

-- An edited event is named.
BEGIN;
UPDATE gdpr.audit_log SET actor = 'someone else' WHERE id = :victim;
SELECT intact, first_bad_event = :victim AS names_victim FROM gdpr_audit_verify();
ROLLBACK;

-- So is an edit of the keys alone (hiding which row was read).
BEGIN;
UPDATE gdpr.audit_log SET row_keys = '[7]', key_ranges = '{[7,7]}' WHERE id = :victim;
SELECT intact, first_bad_event = :victim AS names_victim FROM gdpr_audit_verify();
ROLLBACK;

-- A deleted event: the chain breaks at the missing id.
BEGIN;
DELETE FROM gdpr.audit_log WHERE id = :victim;
SELECT intact, first_bad_event = :victim AS names_victim FROM gdpr_audit_verify();
ROLLBACK;

-- Re-ordered events (contents swapped between two ids).
BEGIN;
UPDATE gdpr.audit_log SET id = -1 WHERE id = :victim;
UPDATE gdpr.audit_log SET id = :victim WHERE id = :victim + 1;
UPDATE gdpr.audit_log SET id = :victim + 1 WHERE id = -1;
SELECT intact, first_bad_event = :victim AS names_victim FROM gdpr_audit_verify();
ROLLBACK;

-- A forged mac (re-signing needs the key, which is outside the database).
BEGIN;
UPDATE gdpr.audit_log SET mac = sha256('forged') WHERE id = :victim;
SELECT intact, first_bad_event = :victim AS names_victim FROM gdpr_audit_verify();
ROLLBACK;

-- A cut-off tail: the writer knows the chain head it committed.
BEGIN;
DELETE FROM gdpr.audit_log WHERE id >= :victim;
SELECT intact, first_bad_event = :victim AS names_victim FROM gdpr_audit_verify();
ROLLBACK;

-- Everything rolled back: intact again.
SELECT intact FROM gdpr_audit_verify();

-- Only gdpr_dpo members read the log and verify it.
CREATE ROLE audit_c_nobody;
CREATE ROLE audit_c_officer IN ROLE gdpr_dpo;
SET ROLE audit_c_nobody;
SELECT count(*) FROM gdpr.audit_log;
SELECT * FROM gdpr_audit_verify();
RESET ROLE;
SET ROLE audit_c_officer;
SELECT count(*) > 0 AS can_read FROM gdpr.audit_log;
SELECT intact FROM gdpr_audit_verify();
RESET ROLE;
-- ... and their reads of the log are audited too.
SELECT gdpr.audit_flush();
SELECT operation, db_role, row_count > 0 AS read_rows FROM gdpr.audit_log
 WHERE relation = 'gdpr.audit_log'::regclass AND db_role = 'audit_c_officer' ORDER BY id;

DROP SCHEMA audit_c CASCADE;
DROP ROLE audit_c_nobody;
DROP ROLE audit_c_officer;
