-- gdpr_public.refusal: the type gdpr-proxy uses to make the server refuse a
-- statement. Coercing any literal to it raises 42501 with the literal's first
-- line as the message and the rest as the hint, at parse-analysis time.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set VERBOSITY default
SELECT $gdpr$gdpr-proxy refused SET ROLE: a proxy session cannot change its role
Connect as another proxy user instead.$gdpr$::gdpr_public.refusal;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Without a hint line.
SELECT 'just a message'::gdpr_public.refusal;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Raised while the statement is analysed: PREPARE fails, nothing is executed.
PREPARE refused AS SELECT 'refused at parse'::gdpr_public.refusal, pg_sleep(10);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Inside a transaction block the transaction is marked failed, as for any error.
BEGIN;
SELECT 'refused in a transaction'::gdpr_public.refusal;
SELECT 1;
ROLLBACK;
-- Any role may use it (it can only raise an error). The schema holds only
-- what every role may use: this type and the audit's COPY FROM condition.
CREATE ROLE refusal_nobody;
SET ROLE refusal_nobody;
SELECT 'as an unprivileged role'::gdpr_public.refusal;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE refusal_nobody;
SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'gdpr_public'::regnamespace ORDER BY 1;
SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'gdpr_public'::regnamespace;
DROP EXTENSION gdpr;
