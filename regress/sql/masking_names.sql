-- The `redact` rule and the known names of data subjects: every value of a
-- column tagged `name` is replaced by [name] in redacted free text
-- (extension/masking/known_names.cpp, redact_row.cpp), without turning the
-- masking functions into an oracle for "is this a customer's name?".
-- (IF NOT EXISTS: an earlier suite may have left the extension installed.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text);
CREATE TABLE staff (id bigint PRIMARY KEY, name varchar(80));
CREATE TABLE notes (id bigint PRIMARY KEY, author text, body text, summary varchar(200));
SECURITY LABEL FOR gdpr ON COLUMN customers.name IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN customers.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN staff.name IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN notes.author IS 'free_text';
SECURITY LABEL FOR gdpr ON COLUMN notes.body IS 'free_text';
SECURITY LABEL FOR gdpr ON COLUMN notes.summary IS 'free_text';
INSERT INTO customers VALUES (1, 'Ivana Nováková', 'ivana@example.sk'), (2, 'Jürgen Müller', NULL),
  (3, 'Nagy, Ľubomír', NULL), (4, 'Ing. Peter Kováč, PhD.', NULL), (5, 'Mary O''Connor', NULL);
INSERT INTO staff VALUES (1, 'Zuzana Králová');
INSERT INTO notes VALUES
  (1, 'Zuzana Králová', E'Dear Ivana Nováková,\nwe called +421 905 123 456.\nZuzana Králová', 'Refund for IVANA NOVÁKOVÁ'),
  (2, 'system', 'Ivana wrote again; Mrs Nováková is waiting. Ivana, Nováková.', 'Nothing to hide here'),
  (3, 'system', E'ivana  novakova\tand\nNováková wrote', 'Jurgen Mueller, Herr Jürgen Müller, JÜRGEN MULLER'),
  (4, 'system', 'Ľubomír Nagy and Nagy Ľubomír; Peter Kováč; Mary O''Connor''s account', NULL);

-- The index holds the names as keyed hashes only (and their first words).
SELECT source, count(*) > 0 AS present,
       bool_and(id_hash ~ '^[0-9a-f]{64}$') AS only_hashes
FROM gdpr.subject_index WHERE relid IN ('customers'::regclass, 'staff'::regclass) GROUP BY source ORDER BY 1;
SELECT count(*) AS clear_names_in_index FROM gdpr.subject_index
WHERE id_hash ILIKE '%ivana%' OR id_hash ILIKE '%novak%';

SELECT gdpr_policy_create('namesagent');
SELECT gdpr_policy_create('namesclerk', default_rule => 'null');

-- The view redacts the stored text: full names in any case, with or without
-- diacritics, with any white space between the words, surname first, umlauts
-- spelled out; a lone first name or surname stays.
SELECT id, author, body, summary FROM gdpr_mask_namesagent.notes ORDER BY id;
-- What the view runs for a redacted column.
SELECT pg_get_viewdef('gdpr_mask_namesagent.notes'::regclass);

-- As the policy's role (the proxy's backend role) it is the same.
SET ROLE gdpr_policy_namesagent;
SELECT id, body FROM gdpr_mask_namesagent.notes WHERE id = 1;
RESET ROLE;

-- Kept current: a name inserted, renamed or deleted counts from the next
-- statement on (here: in the same transaction; other sessions after commit,
-- see tests/e2e/masking_names.sh).
INSERT INTO notes VALUES (5, 'system', 'Anna Horváthová called about Ivana Nováková.', NULL);
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
BEGIN;
INSERT INTO customers VALUES (6, 'Anna Horváthová', NULL);
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
ROLLBACK;
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
UPDATE customers SET name = 'Anna Horváthová' WHERE id = 1;
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
DELETE FROM customers WHERE id = 1;
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
INSERT INTO customers VALUES (1, 'Ivana Nováková', 'ivana@example.sk');
-- A change that keeps the names does not make every backend reload them.
UPDATE customers SET email = 'ivana.n@example.sk' WHERE id = 1;
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
-- Tagging a column `name` makes its values known names; untagging forgets them.
SECURITY LABEL FOR gdpr ON COLUMN customers.name IS NULL;
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
SECURITY LABEL FOR gdpr ON COLUMN customers.name IS 'name';
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 5;
-- TRUNCATE forgets them too.
CREATE TABLE visitors (id int PRIMARY KEY, name text);
SECURITY LABEL FOR gdpr ON COLUMN visitors.name IS 'name';
INSERT INTO visitors VALUES (1, 'Dana Veselá');
INSERT INTO notes VALUES (6, 'system', 'Dana Veselá signed in.', NULL);
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 6;
TRUNCATE visitors;
SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 6;
DROP TABLE visitors;

------------------------------------------------------------------------------
-- The attack: a masked role calls the masking functions directly to learn
-- whether a string is a customer's name. (Today policy roles have no USAGE on
-- schema gdpr at all; the functions must be safe even when they do.)
------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA gdpr TO gdpr_policy_namesagent, gdpr_policy_namesclerk;
CREATE ROLE names_outsider;
GRANT USAGE ON SCHEMA gdpr TO names_outsider;
SET ROLE gdpr_policy_namesagent;
-- 1. The text function knows no names: a customer's name and a made-up one
--    come back alike.
SELECT gdpr.mask_redact('Ivana Nováková') AS customer, gdpr.mask_redact('Ivana Novotná') AS nobody;
-- 2. The row function ignores the text it is given: the answer is the stored
--    row's redaction, whatever the guess.
SELECT gdpr.mask_redact('Dear Ivana Nováková,', 'notes', 'notes'::regclass, '(0,1)', 3::smallint)
     = gdpr.mask_redact('Dear Ivana Novotná,', 'notes', 'notes'::regclass, '(0,1)', 3::smallint) AS same_answer,
       gdpr.mask_redact('Dear Ivana Nováková,', 'notes', 'notes'::regclass, '(0,1)', 3::smallint)
     = (SELECT body FROM gdpr_mask_namesagent.notes WHERE id = 1) AS what_the_view_shows;
-- 3. A row that does not exist gives NULL, whatever the guess.
SELECT gdpr.mask_redact('Ivana Nováková', 'notes', 'notes'::regclass, '(999,1)', 3::smallint) IS NULL AS no_row,
       gdpr.mask_redact('Ivana Nováková', 'notes', 'notes'::regclass, '(0,99)', 3::smallint) IS NULL AS no_tuple;
-- 4. Only columns the policy shows redacted (or in full): customers.name is
--    `partial` for this policy, customers.email too.
SELECT gdpr.mask_redact('x', 'customers', 'customers'::regclass, '(0,1)', 2::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr.mask_redact('x', 'customers', 'customers'::regclass, '(0,1)', 3::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 5. Not through a view standing in for a table, nor with another table's row.
SELECT gdpr.mask_redact('x', 'gdpr_mask_namesagent.notes', 'notes'::regclass, '(0,1)', 3::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr.mask_redact('x', 'notes', 'customers'::regclass, '(0,1)', 3::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 6. The internals are not callable.
SELECT gdpr._subject_known_name_hashes();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr._mask_redact_allowed('gdpr_policy_namesagent'::regrole, 'notes'::regclass, 3::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr._subject_name_hashes('Ivana Nováková');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- 7. Another policy, whose rule for the column is null, gets nothing.
SET ROLE gdpr_policy_namesclerk;
SELECT body FROM gdpr_mask_namesclerk.notes WHERE id = 1;
SELECT gdpr.mask_redact('x', 'notes', 'notes'::regclass, '(0,1)', 3::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- 8. Neither does a role without a policy.
SET ROLE names_outsider;
SELECT gdpr.mask_redact('x', 'notes', 'notes'::regclass, '(0,1)', 3::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------
-- Where the row lives
------------------------------------------------------------------------------
-- Partitions with their own column order: the column is found by name.
CREATE TABLE letters (id int, body text, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE letters_new (body text, id int NOT NULL);
ALTER TABLE letters ATTACH PARTITION letters_new FOR VALUES FROM (100) TO (200);
CREATE TABLE letters_old PARTITION OF letters FOR VALUES FROM (0) TO (100);
SECURITY LABEL FOR gdpr ON COLUMN letters.body IS 'free_text';
INSERT INTO letters VALUES (1, 'Old letter to Ivana Nováková'), (150, 'New letter to Ivana Nováková');
SELECT id, body FROM gdpr_mask_namesagent.letters ORDER BY id;
-- Values of other text types: char(n) as its ::text cast shows it.
ALTER TABLE notes ADD COLUMN code char(20);
SECURITY LABEL FOR gdpr ON COLUMN notes.code IS 'free_text';
UPDATE notes SET code = 'Mary O''Connor' WHERE id = 4;
SELECT id, '<' || code || '>' AS code FROM gdpr_mask_namesagent.notes WHERE id = 4;
-- Parallel query (the function is PARALLEL SAFE and loads the names in each worker).
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SELECT id, body FROM gdpr_mask_namesagent.notes WHERE id = 1;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
-- Row-level security would not filter rows fetched by their TID: such a
-- table's redacted columns are NULL in the views (with a warning).
CREATE TABLE secrets (id int PRIMARY KEY, body text);
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON secrets USING (true);
INSERT INTO secrets VALUES (1, 'Ivana Nováková knows');
SECURITY LABEL FOR gdpr ON COLUMN secrets.body IS 'free_text';
SELECT id, body FROM gdpr_mask_namesagent.secrets;
SET ROLE gdpr_policy_namesagent;
SELECT gdpr.mask_redact('x', 'secrets', 'secrets'::regclass, '(0,1)', 2::smallint);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;

SET client_min_messages = error;
DROP TABLE secrets, letters, notes, staff, customers;
SELECT gdpr_policy_drop('namesagent'), gdpr_policy_drop('namesclerk');
DROP EXTENSION gdpr;
DROP ROLE names_outsider;
