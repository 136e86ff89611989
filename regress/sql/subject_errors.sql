-- Data-subject requests: who may run them, and every error a caller can meet.
CREATE EXTENSION gdpr;
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE TABLE subject_people (id int PRIMARY KEY, email text);
SECURITY LABEL FOR gdpr ON COLUMN subject_people.email IS 'email; subject';
INSERT INTO subject_people VALUES (1, 'jane@example.com');

CREATE ROLE regress_subject_officer;
CREATE ROLE regress_subject_clerk;
GRANT gdpr_dpo TO regress_subject_officer;
GRANT SELECT, INSERT, UPDATE, DELETE ON subject_people TO regress_subject_clerk, regress_subject_officer;

-- Members of gdpr_dpo may run requests (SECURITY DEFINER: they need no rights
-- on the tables or the index themselves).
SET ROLE regress_subject_officer;
SELECT relation, row_key, matched_by FROM gdpr_find('jane@example.com');
SELECT gdpr_export('jane@example.com') #> '{tables,public.subject_people,rows,0,data}' AS exported;
SELECT gdpr_erase('jane@example.com', dry_run => true) -> 'tables' AS would_erase;
SELECT count(*) AS log_visible FROM gdpr.erasures;
RESET ROLE;

-- Everyone else gets 42501 naming the role they need.
SET ROLE regress_subject_clerk;
SELECT * FROM gdpr_find('jane@example.com');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_export('jane@example.com');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_erase('jane@example.com');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_replay_erasures();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr.subject_index_rebuild();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- ... and cannot read the index, the log or call the internals.
SELECT count(*) FROM gdpr.subject_index;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) FROM gdpr.erasures;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr._subject_erase(ARRAY['x'], false);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Writing a tagged table still works for them: the index trigger is SECURITY DEFINER.
INSERT INTO subject_people VALUES (2, 'kim@example.com');
RESET ROLE;
SELECT count(*) AS kim_found FROM gdpr_find('kim@example.com');

-- The search_path of the caller cannot redirect the functions.
SELECT p.proname, p.prosecdef, p.proconfig
  FROM pg_proc p
 WHERE p.proname IN ('gdpr_find', 'gdpr_export', 'gdpr_erase', 'gdpr_replay_erasures', 'subject_index_rebuild')
 ORDER BY 1;

-- Bad identifiers: 22023 with a hint.
\set VERBOSITY default
SELECT * FROM gdpr_find('');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_find('   ');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_find(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_find('jane@');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_find('+421 12');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_export(' ');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_erase('');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_erase('jane@example.com', dry_run => NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_find(repeat('x', 1001));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
-- Nothing was erased by the failed calls.
SELECT count(*) AS people FROM subject_people;

DROP TABLE subject_people;
DROP ROLE regress_subject_clerk;
DROP ROLE regress_subject_officer;
RESET client_min_messages;
DROP EXTENSION gdpr;
