-- The C++/PostgreSQL error boundary (extension/pg/).
-- A C++ exception must surface as a clean ERROR with its SQLSTATE, and a
-- PostgreSQL ERROR raised inside guarded C++ code must unwind C++ destructors.
CREATE EXTENSION gdpr;
-- Errors are followed by their SQLSTATE (psql's LAST_ERROR_SQLSTATE).

-- Nothing alive before we start; the happy path returns normally.
SELECT gdpr._boundary_live_objects() AS live_before;
SELECT gdpr._boundary_selftest('ok');
SELECT gdpr._boundary_live_objects() AS live_after_ok;

-- gdpr::Error keeps its SQLSTATE (22023), detail and hint.
SELECT gdpr._boundary_selftest('cpp_error');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Any other std::exception is an internal error (XX000), never a crash.
SELECT gdpr._boundary_selftest('std_exception');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT gdpr._boundary_selftest('bad_alloc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- A PostgreSQL ERROR (division by zero, 22012) raised under pg::guard inside
-- C++ travels through C++ as an exception and is re-raised unchanged.
SELECT gdpr._boundary_selftest('pg_error');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Every C++ object created by the failing calls above was destroyed.
SELECT gdpr._boundary_live_objects() AS live_after_errors;

-- The session is healthy after all those errors: the transaction machinery
-- and memory contexts were left consistent.
BEGIN;
SELECT gdpr._boundary_selftest('pg_error');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT gdpr._boundary_selftest('cpp_error');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT gdpr._boundary_selftest('ok') AS after_savepoint;
COMMIT;
SELECT gdpr._boundary_live_objects() AS live_at_end;

-- Unknown self-test names are refused with a hint.
SELECT gdpr._boundary_selftest('nonsense');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- The self-tests are not for everyone.
CREATE ROLE boundary_nobody;
SET ROLE boundary_nobody;
SELECT gdpr._boundary_selftest('ok');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE boundary_nobody;

-- GUCs: the gdpr prefix is reserved and values are validated.
SHOW gdpr.default_phone_region;
SET gdpr.default_phone_region = 'cz';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SET gdpr.default_phone_region = 'CZ';
SHOW gdpr.default_phone_region;
SET gdpr.no_such_setting = 'x';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP EXTENSION gdpr;
