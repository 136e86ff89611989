-- Legal hold: gdpr_hold exempts a person's rows (as gdpr_find finds them,
-- following her identifiers) from retention; gdpr.legal_hold_reason is the
-- check gdpr_erase uses to refuse held persons; gdpr_release lifts the hold.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;  -- an earlier test may leave it installed
\set VERBOSITY terse
-- Not about audit; and DROP EXTENSION can race the audit writer (reported).
SET gdpr.audit = off;
CREATE SCHEMA hold;
SET search_path = hold, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, email text, phone text);
CREATE TABLE calls (id bigint PRIMARY KEY, contact_id bigint REFERENCES contacts, caller text NOT NULL,
                    started_at timestamptz NOT NULL, cost numeric NOT NULL);
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.caller IS 'phone; subject';
SECURITY LABEL FOR gdpr ON TABLE calls IS 'erase=anonymize; retention=2 years; retention_column=started_at';
INSERT INTO contacts VALUES (1, 'jane@example.com', '+421905111111'), (2, 'john@example.com', '+421905222222');
-- Old calls: 1, 2 from Jane's number (written nationally), 3, 4 from John's; 5 is Jane's, young.
INSERT INTO calls VALUES (1, 1, '0905 111 111', now() - interval '3 years', 1),
                         (2, NULL, '+421 905 111 111', now() - interval '3 years', 2),
                         (3, 2, '+421905222222', now() - interval '3 years', 3),
                         (4, NULL, '0905222222', now() - interval '3 years', 4),
                         (5, 1, '+421905111111', now() - interval '1 year', 5);

-- Holding Jane's e-mail holds her calls too (her contact row gives her number).
SELECT gdpr_hold('Jane@Example.com', 'case 2024/117: billing dispute');
-- The hold stores a keyed hash, never the identifier.
SELECT kind, reason, id_hash !~* 'jane' AS no_identifier, held_by = current_user AS held_by FROM gdpr.legal_holds;
-- The erase check: by any of her identifiers; John is not held.
SELECT gdpr.legal_hold_reason('jane@example.com') AS jane_by_email,
       gdpr.legal_hold_reason('+421 905 111 111') AS jane_by_phone,
       gdpr.legal_hold_reason('john@example.com') AS john;
SELECT relation, rows_past_retention, rows_held, rows_to_remove FROM gdpr_retention_preview();

CALL gdpr_apply_retention() \gset run_
SELECT ((:'run_report')::jsonb #> '{tables,hold.calls}') - 'cutoff'::text - 'seconds'::text AS calls_report;
SELECT id, caller, cost FROM calls ORDER BY id;

-- Holding again replaces the reason; bad input is refused.
SELECT gdpr_hold('jane@example.com', 'case 2024/117 and 2024/120') ->> 'reason' AS reason;
SELECT gdpr_hold('jane@example.com', '  ');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_hold('', 'case 1');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_release('nobody@example.com');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE ROLE regress_hold_clerk;
SET ROLE regress_hold_clerk;
SELECT gdpr_hold('jane@example.com', 'I say so');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_hold_clerk;

-- Released: the next run anonymises her old calls.
SELECT gdpr_release('jane@example.com');
SELECT gdpr.legal_hold_reason('jane@example.com') AS after_release;
CALL gdpr_apply_retention() \gset run_
SELECT (:'run_report')::jsonb #>> '{tables,hold.calls,rows_anonymized}' AS anonymized;
SELECT id, caller, cost FROM calls ORDER BY id;

DROP SCHEMA hold CASCADE;
RESET client_min_messages;
RESET search_path;
DROP EXTENSION gdpr;
