-- Masking policies and rules: the catalog, its errors, privacy-by-default
-- masks, and the generated views and roles (sql/extension/20_masking.sql).
-- (IF NOT EXISTS: an earlier suite may have left the extension installed.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- A table with a column of every category, in typical types.
CREATE TABLE people (
  id          bigint PRIMARY KEY,
  full_name   text,
  email       varchar(200),
  phone       text,
  address     text,
  ip          inet,
  national_id text,
  iban        text,
  birth_date  date,
  customer_no bigint,
  notes       text,
  voice       bytea,
  diagnosis   text,
  score       integer
);
SECURITY LABEL FOR gdpr ON COLUMN people.full_name IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN people.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN people.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN people.address IS 'address';
SECURITY LABEL FOR gdpr ON COLUMN people.ip IS 'ip_address';
SECURITY LABEL FOR gdpr ON COLUMN people.national_id IS 'national_id';
SECURITY LABEL FOR gdpr ON COLUMN people.iban IS 'payment';
SECURITY LABEL FOR gdpr ON COLUMN people.birth_date IS 'birth_date';
SECURITY LABEL FOR gdpr ON COLUMN people.customer_no IS 'identifier';
SECURITY LABEL FOR gdpr ON COLUMN people.notes IS 'free_text';
SECURITY LABEL FOR gdpr ON COLUMN people.voice IS 'recording';
SECURITY LABEL FOR gdpr ON COLUMN people.diagnosis IS 'special';
INSERT INTO people VALUES (1, 'Jana Nováková', 'jana.novakova@example.sk', '+421 905 123 456',
  'Hlavná 12, 811 01 Bratislava', '192.168.10.77', '855101/1234', 'SK31 1200 0000 1987 4263 7541',
  '1985-06-17', 100042, 'Call me at 0905 123 456 or jana@example.sk', '\x52494646', 'asthma', 77);

-- Creating a policy returns its backend role; names are checked.
SELECT gdpr_policy_create('agent');
SELECT gdpr_policy_create('agent');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_create('Call Centre');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_create('boss', default_rule => 'show');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Privacy by default: without rules every tagged column gets its category's
-- mask; the untagged ones (id, score) pass through.
SELECT column_name, category, rule, explicit FROM gdpr.policy_columns
WHERE policy = 'agent' AND table_name = 'people' ORDER BY column_name;
SELECT id, full_name, email, phone, address, ip, iban, birth_date, notes, voice, diagnosis, score,
       national_id ~ '^pseu_[0-9a-f]{16}$' AS national_id_pseudonym, customer_no ~ '^pseu_[0-9a-f]{16}$' AS customer_no_pseudonym
FROM gdpr_mask_agent.people;

-- The generated view and role.
SELECT policy, base_schema, base_table, view_schema, view_name FROM gdpr.masked_views ORDER BY 1, 3;
SELECT c.reloptions FROM pg_class c WHERE c.oid = 'gdpr_mask_agent.people'::regclass;
SELECT pg_get_userbyid(c.relowner) AS view_owner FROM pg_class c WHERE c.oid = 'gdpr_mask_agent.people'::regclass;
SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = 'gdpr_policy_agent';
-- Column privileges: exactly the untagged columns of the base table.
SELECT attname, has_column_privilege('gdpr_policy_agent', 'people', attname, 'SELECT') AS can_select
FROM pg_attribute WHERE attrelid = 'people'::regclass AND attnum > 0 ORDER BY attnum;
SELECT has_table_privilege('gdpr_policy_agent', 'people', 'SELECT') AS base_table_select,
       has_table_privilege('gdpr_policy_agent', 'gdpr_mask_agent.people', 'SELECT') AS view_select,
       has_table_privilege('gdpr_policy_agent', 'people', 'INSERT') AS may_insert;

-- Rules: 'table.column' or 'schema.table.column'; every mistake is named.
SELECT gdpr_policy_rule('agent', 'people.phone', 'keep');
SELECT gdpr_policy_rule('agent', 'public.people.notes', 'null');
SELECT gdpr_policy_rule('agent', 'people.customer_no', 'generalize');
SELECT gdpr_policy_rule('agent', 'people.birth_date', 'hash');
SELECT column_name, rule, explicit FROM gdpr.policy_columns
WHERE policy = 'agent' AND explicit ORDER BY column_name;
-- ... and the view follows at once.
SELECT phone, notes, customer_no, birth_date = gdpr.mask_hash('1985-06-17') AS birth_date_hashed
FROM gdpr_mask_agent.people;
-- NULL removes a rule: back to the category default.
SELECT gdpr_policy_rule('agent', 'people.phone', NULL);
SELECT phone FROM gdpr_mask_agent.people;

SELECT gdpr_policy_rule('nobody', 'people.phone', 'keep');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'persons.phone', 'keep');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.fax', 'keep');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people', 'keep');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.phone', 'blur');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.score', 'null');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- A rule must make sense for the column's type and category.
SELECT gdpr_policy_rule('agent', 'people.notes', 'generalize');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.notes', 'partial');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.voice', 'redact');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.birth_date', 'partial');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- An unmasked policy keeps everything but still gets views, so the proxy
-- treats every user alike; masked = false tells it nothing needs rewriting.
SELECT gdpr_policy_create('supervisor', default_rule => 'keep');
SELECT name, default_rule, masked, backend_role, view_schema FROM gdpr.policies ORDER BY name;
SELECT full_name, phone, notes FROM gdpr_mask_supervisor.people;
-- One masked column makes it a masked policy again.
SELECT gdpr_policy_rule('supervisor', 'people.diagnosis', 'null');
SELECT masked FROM gdpr.policies WHERE name = 'supervisor';
-- A policy for compliance officers: its role is a member of gdpr_dpo.
SELECT gdpr_policy_create('dpo', default_rule => 'keep', may_run_subject_requests => true);
SELECT pg_has_role('gdpr_policy_dpo', 'gdpr_dpo', 'MEMBER') AS dpo_member,
       pg_has_role('gdpr_policy_agent', 'gdpr_dpo', 'MEMBER') AS agent_member;
-- A read-only policy gets no write privileges.
SELECT gdpr_policy_create('auditor', may_write => false);
SELECT has_table_privilege('gdpr_policy_auditor', 'people', 'INSERT') AS may_insert,
       has_table_privilege('gdpr_policy_auditor', 'people', 'UPDATE') AS may_update;

-- Managing policies is for superusers (and roles a superuser grants it to).
CREATE ROLE policy_nobody;
SET ROLE policy_nobody;
SELECT gdpr_policy_create('mine');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_policy_rule('agent', 'people.phone', 'keep');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) FROM gdpr.policies;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE policy_nobody;

-- Dropping a policy removes its schema, its role and its rules.
SELECT gdpr_policy_drop('agent');
SELECT gdpr_policy_drop('agent');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT to_regnamespace('gdpr_mask_agent') AS schema_left, (SELECT count(*) FROM pg_roles WHERE rolname = 'gdpr_policy_agent') AS roles_left,
       (SELECT count(*) FROM gdpr.policy_rules WHERE policy = 'agent') AS rules_left;

SELECT gdpr_policy_drop(name) FROM gdpr.policies ORDER BY name;
DROP TABLE people;
DROP EXTENSION gdpr;
