-- End users of gdpr-proxy (sql/extension/25_users.sql): the extension stores
-- a SCRAM-SHA-256 verifier made by PostgreSQL's own code, never a password.
-- (IF NOT EXISTS: an earlier suite may have left the extension installed.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT gdpr_policy_create('agent');
SELECT gdpr_policy_create('billing');

SELECT gdpr_user_add('anna', 'agent', 'anna');
SELECT gdpr_user_add('boris', 'billing', 'boris', valid_until => '2030-01-01 00:00+00');
SELECT name, policy, valid_until, disabled FROM gdpr.users ORDER BY name;

-- The verifier has PostgreSQL's format (as in pg_authid.rolpassword): 4096
-- iterations, a random 16-byte salt, StoredKey and ServerKey; no password.
SELECT name, scram_verifier ~ '^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$' AS scram_format,
       position(name IN scram_verifier) = 0 AS no_password
FROM gdpr.users ORDER BY name;
-- It is exactly what PostgreSQL itself would store (a role given the
-- verifier as its password logs in with the password: checked end-to-end in
-- tests/e2e/masking_direct_login.sh), with a fresh random salt every time.
SELECT (SELECT scram_verifier FROM gdpr.users WHERE name = 'anna') <> gdpr._scram_build_secret('anna') AS fresh_salt_each_time;

-- Changing the password replaces the verifier.
CREATE TEMP TABLE before AS SELECT scram_verifier FROM gdpr.users WHERE name = 'anna';
SELECT gdpr_user_set_password('anna', 'new secret');
SELECT u.scram_verifier <> b.scram_verifier AS changed FROM gdpr.users u, before b WHERE u.name = 'anna';
SELECT gdpr_user_set_policy('anna', 'billing');
SELECT gdpr_user_disable('boris');
SELECT name, policy, disabled FROM gdpr.users ORDER BY name;
SELECT gdpr_user_enable('boris');
SELECT disabled FROM gdpr.users WHERE name = 'boris';

-- Mistakes get clear errors.
SELECT gdpr_user_add('anna', 'agent', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_add('carla', 'nobody', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_add('carla', 'agent', '');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_add('carla', 'agent', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_add('carla smith', 'agent', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_add('', 'agent', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_set_password('nobody', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_disable('nobody');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_set_policy('anna', 'nobody');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- A policy with users cannot be dropped from under them.
SELECT gdpr_policy_drop('billing');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Only superusers (and roles they grant it to) manage users; compliance
-- staff see who exists but not the verifiers; PUBLIC sees nothing.
CREATE ROLE users_nobody;
CREATE ROLE users_officer IN ROLE gdpr_dpo;
SET ROLE users_nobody;
SELECT gdpr_user_add('mallory', 'agent', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr_user_set_password('anna', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE users_officer;
SELECT name, policy, disabled FROM gdpr.users ORDER BY name;
SELECT scram_verifier FROM gdpr.users;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT has_column_privilege('public', 'gdpr.users', 'scram_verifier', 'SELECT') AS public_reads_verifier,
       has_column_privilege('gdpr_proxy', 'gdpr.users', 'scram_verifier', 'SELECT') AS proxy_reads_verifier;
DROP ROLE users_nobody, users_officer;

-- (Every change also sends NOTIFY gdpr_catalog, 'users' for the proxy;
-- psql prints the sender's PID with it, so tests/e2e/masking_direct_login.sh
-- checks that.)
SELECT gdpr_user_drop('boris');
SELECT name FROM gdpr.users ORDER BY name;
SELECT gdpr_user_drop('boris');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

SELECT gdpr_user_drop('anna');
SELECT gdpr_policy_drop('agent');
SELECT gdpr_policy_drop('billing');
DROP EXTENSION gdpr;
