-- Base: schemas, roles and the boundary self-tests.
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
