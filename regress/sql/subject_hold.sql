-- A legal hold outranks erasure: gdpr_erase reports the hold in a dry run and
-- refuses a real erase with the hold's reason, until the hold is released.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET gdpr.audit = off;
CREATE SCHEMA hold_t;
SET search_path = hold_t, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, email text, phone text);
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
INSERT INTO contacts VALUES (1, 'held@example.com', '+421905111222'), (2, 'free@example.com', '+421905333444');

SELECT gdpr_hold('held@example.com', 'invoice dispute 2026-118') ->> 'rows_held' IS NOT NULL AS held;
-- The dry run says what would go, and why it will not.
SELECT gdpr_erase('held@example.com', dry_run => true) ->> 'legal_hold' AS hold_in_dry_run;
-- Also found by her other identifier, in another notation.
SELECT gdpr_erase('0905 111 222');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS still_there FROM contacts WHERE id = 1;
-- Someone else is not affected.
SELECT gdpr_erase('free@example.com') -> 'legal_hold' AS no_hold;
SELECT count(*) AS erased FROM contacts WHERE id = 2;
-- Released: the erase goes through.
SELECT gdpr_release('held@example.com') IS NOT NULL AS released;
SELECT gdpr_erase('held@example.com') -> 'legal_hold' AS no_hold_any_more;
SELECT count(*) AS gone FROM contacts WHERE id = 1;
DROP SCHEMA hold_t CASCADE;
