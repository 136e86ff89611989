-- Base: schemas, roles and the boundary self-tests.
-- The audit (shared memory, background writer) and retention (launcher)
-- exist only when the server loaded gdpr at start; without that they would be
-- silently absent, so refuse instead.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM unnest(string_to_array(current_setting('shared_preload_libraries'), ',')) AS l(name)
     WHERE regexp_replace(btrim(l.name, ' "'), '^\$libdir/', '') IN ('gdpr', 'gdpr.so')) THEN
    RAISE EXCEPTION 'gdpr must be loaded through shared_preload_libraries'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'The row-access audit and retention need shared memory and background workers set up at server start.',
            HINT = 'Add gdpr to shared_preload_libraries in postgresql.conf, restart the server, then CREATE EXTENSION gdpr again.';
  END IF;
END
$$;

CREATE SCHEMA gdpr;
COMMENT ON SCHEMA gdpr IS 'pg_gdpr catalog and internals';

-- Compliance officers: members may run subject requests and read the audit log.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gdpr_dpo') THEN
    CREATE ROLE gdpr_dpo NOLOGIN;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA gdpr TO gdpr_dpo;

-- Self-tests of the C++/PostgreSQL error boundary (used by pg_regress).
CREATE FUNCTION gdpr._boundary_selftest(kind text) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_boundary_selftest' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION gdpr._boundary_live_objects() RETURNS integer
  AS 'MODULE_PATHNAME', 'gdpr_boundary_live_objects' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION gdpr._boundary_selftest(text), gdpr._boundary_live_objects() FROM PUBLIC;
