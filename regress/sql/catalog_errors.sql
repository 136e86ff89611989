-- Every way a gdpr label or a tagging call is refused: the message names the
-- bad word, the hint lists what is allowed (and suggests the closest word for
-- a typo), and the SQLSTATE says what kind of mistake it is.
CREATE EXTENSION gdpr;
CREATE SCHEMA catalog_errors;
SET search_path = catalog_errors, public;
CREATE TABLE people (id bigint PRIMARY KEY, email text, notes text, audio bytea, created_at timestamptz, born date);
CREATE VIEW people_view AS SELECT id, email FROM people;
CREATE MATERIALIZED VIEW people_matview AS SELECT id, email FROM people;
CREATE SEQUENCE people_seq;
CREATE INDEX people_email ON people (email);

-- Column labels: 22023 invalid_parameter_value.
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'emial; subject';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'customer';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS '';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email;';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; subjct';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; subject=yes';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; subject; subject';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; phone';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; purpose=';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; basis=contrakt';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; purpose=24" screens; basis=consent';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; retention=1 year';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'erase=delete';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.notes IS 'free_text; subject';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN people.audio IS 'recording; subject';
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Table labels: 22023, 42703 undefined_column, 42804 datatype_mismatch.
SECURITY LABEL FOR gdpr ON TABLE people IS 'erase=anonymise';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retension=1 year; retention_column=created_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'email; subject';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'purpose=billing';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'erase=';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'erase=delete; erase=anonymize';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=1 year';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention_column=created_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=two years; retention_column=created_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=-1 year; retention_column=created_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=0 days; retention_column=created_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=1 year; retention_column=created at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=1 year; retention_column=updated_at';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=1 year; retention_column=email';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- (a date column is fine)
SECURITY LABEL FOR gdpr ON TABLE people IS 'retention=1 year; retention_column=born';

-- Objects that cannot carry gdpr labels: 42809 wrong_object_type.
SECURITY LABEL FOR gdpr ON COLUMN people_view.email IS 'email';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON VIEW people_view IS 'erase=delete';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON MATERIALIZED VIEW people_matview IS 'erase=delete';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON SEQUENCE people_seq IS 'erase=delete';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON COLUMN pg_catalog.pg_authid.rolname IS 'name';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE information_schema.sql_features IS 'erase=delete';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON SCHEMA catalog_errors IS 'email';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON FUNCTION gdpr_scan(integer) IS 'email';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON ROLE gdpr_dpo IS 'name';
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Unknown objects: PostgreSQL's own errors (42703, 42P01).
SECURITY LABEL FOR gdpr ON COLUMN people.nope IS 'email';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE nope IS 'erase=delete';
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- The helpers refuse the same way, and refuse NULL and empty names.
SELECT gdpr_tag('people', 'email', 'emial');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag('people', 'nope', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag('nope', 'email', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag('people_view', 'email', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag('people', '', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag('people', 'email', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag(NULL, 'email', 'email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_untag('people', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_untag('people', '');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag_table('people', 'erase=anonymise');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag_table('people', 'retention=1 year; retention_column=email');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_tag_table('people', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_untag_table(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- gdpr_scan's sample size is bounded.
SELECT * FROM gdpr_scan(0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM gdpr_scan(1000000);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Nothing refused was stored: only the date-column retention label is there.
SELECT objsubid, label FROM pg_seclabel WHERE objoid = 'people'::regclass AND provider = 'gdpr';

DROP SCHEMA catalog_errors CASCADE;
RESET search_path;
DROP EXTENSION gdpr;
