-- gdpr.actor: who is acting, for the audit. gdpr-proxy sets it when it opens
-- the server connection (start-up options); the client cannot change it.
CREATE EXTENSION gdpr;

-- A session started without an actor may name one, once.
SHOW gdpr.actor;
SET gdpr.actor = 'alice';
SHOW gdpr.actor;
SET gdpr.actor = 'alice';          -- the same name again is harmless
SET gdpr.actor = 'mallory';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT set_config('gdpr.actor', 'mallory', false);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT set_config('gdpr.actor', 'mallory', true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SHOW gdpr.actor;

-- As gdpr-proxy connects: the actor comes with the start-up packet.
\c "dbname=regression options='-c gdpr.actor=anna'"
SHOW gdpr.actor;
SET gdpr.actor = 'boris';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
BEGIN;
SET LOCAL gdpr.actor = 'boris';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK;
-- RESET, RESET ALL and DISCARD ALL go back to the start-up value, never to
-- "no actor".
RESET gdpr.actor;
SHOW gdpr.actor;
RESET ALL;
SHOW gdpr.actor;
DISCARD ALL;
SHOW gdpr.actor;
-- Changing roles does not change who is acting.
CREATE ROLE actor_other;
SET ROLE actor_other;
SET gdpr.actor = 'carla';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SHOW gdpr.actor;
RESET ROLE;
DROP ROLE actor_other;
DROP EXTENSION gdpr;
