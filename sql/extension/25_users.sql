-- End users of gdpr-proxy: who they are, which policy they work under, and a
-- SCRAM-SHA-256 verifier of their password (never the password itself).
-- The proxy reads this table over its catalog connection (role gdpr_proxy) and
-- reloads on NOTIFY gdpr_catalog, 'users'.

-- PostgreSQL's own pg_be_scram_build_secret() (extension/policies/scram_secret.cpp).
CREATE FUNCTION gdpr._scram_build_secret(password text) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_scram_build_secret' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION gdpr._scram_build_secret(text) FROM PUBLIC;

CREATE TABLE gdpr.users (
  name           text PRIMARY KEY CHECK (name ~ '^[^[:space:][:cntrl:]]+$' AND octet_length(name) <= 63),
  policy         text NOT NULL REFERENCES gdpr.policies (name),
  -- SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as in pg_authid.
  scram_verifier text NOT NULL CHECK (scram_verifier LIKE 'SCRAM-SHA-256$%'),
  valid_until    timestamptz,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE gdpr.users IS 'End users of gdpr-proxy and their masking policy (passwords as SCRAM verifiers only)';
REVOKE ALL ON gdpr.users FROM PUBLIC;
GRANT SELECT ON gdpr.users TO gdpr_proxy;
-- Compliance staff see who exists, not the verifiers.
GRANT SELECT (name, policy, valid_until, disabled, created_at) ON gdpr.users TO gdpr_dpo;

CREATE FUNCTION gdpr._user_must_exist(p_name text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM gdpr.users WHERE name = p_name) THEN
    RAISE EXCEPTION 'proxy user "%" does not exist', p_name
      USING ERRCODE = 'undefined_object', HINT = 'Add it with gdpr_user_add(name, policy, password); see gdpr.users.';
  END IF;
END
$$;

CREATE FUNCTION gdpr_user_add(name text, policy text, password text, valid_until timestamptz DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF name IS NULL OR name !~ '^[^[:space:][:cntrl:]]+$' OR octet_length(name) > 63 THEN
    RAISE EXCEPTION 'invalid proxy user name "%"', name
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A user name is 1-63 bytes without spaces or control characters.';
  END IF;
  PERFORM gdpr._mask_policy_must_exist(policy);
  IF password IS NULL THEN
    RAISE EXCEPTION 'empty password' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give the end user a non-empty password.';
  END IF;
  IF EXISTS (SELECT 1 FROM gdpr.users u WHERE u.name = gdpr_user_add.name) THEN
    RAISE EXCEPTION 'proxy user "%" already exists', name
      USING ERRCODE = 'duplicate_object', HINT = 'Use gdpr_user_set_password() or gdpr_user_set_policy() to change it.';
  END IF;
  INSERT INTO gdpr.users (name, policy, scram_verifier, valid_until)
  VALUES (gdpr_user_add.name, gdpr_user_add.policy, gdpr._scram_build_secret(password), gdpr_user_add.valid_until);
  PERFORM pg_notify('gdpr_catalog', 'users');
END
$$;
COMMENT ON FUNCTION gdpr_user_add(text, text, text, timestamptz) IS
  'Adds an end user of gdpr-proxy under a masking policy; stores only a SCRAM-SHA-256 verifier of the password';

CREATE FUNCTION gdpr_user_set_password(name text, password text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM gdpr._user_must_exist(name);
  IF password IS NULL THEN
    RAISE EXCEPTION 'empty password' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Give the end user a non-empty password.';
  END IF;
  UPDATE gdpr.users u SET scram_verifier = gdpr._scram_build_secret(password) WHERE u.name = gdpr_user_set_password.name;
  PERFORM pg_notify('gdpr_catalog', 'users');
END
$$;

CREATE FUNCTION gdpr_user_set_policy(name text, policy text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM gdpr._user_must_exist(name);
  PERFORM gdpr._mask_policy_must_exist(policy);
  UPDATE gdpr.users u SET policy = gdpr_user_set_policy.policy WHERE u.name = gdpr_user_set_policy.name;
  PERFORM pg_notify('gdpr_catalog', 'users');
END
$$;

CREATE FUNCTION gdpr_user_disable(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM gdpr._user_must_exist(name);
  UPDATE gdpr.users u SET disabled = true WHERE u.name = gdpr_user_disable.name;
  PERFORM pg_notify('gdpr_catalog', 'users');
END
$$;

CREATE FUNCTION gdpr_user_enable(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM gdpr._user_must_exist(name);
  UPDATE gdpr.users u SET disabled = false WHERE u.name = gdpr_user_enable.name;
  PERFORM pg_notify('gdpr_catalog', 'users');
END
$$;

CREATE FUNCTION gdpr_user_drop(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM gdpr._user_must_exist(name);
  DELETE FROM gdpr.users u WHERE u.name = gdpr_user_drop.name;
  PERFORM pg_notify('gdpr_catalog', 'users');
END
$$;

REVOKE ALL ON FUNCTION gdpr_user_add(text, text, text, timestamptz), gdpr_user_set_password(text, text),
  gdpr_user_set_policy(text, text), gdpr_user_disable(text), gdpr_user_enable(text), gdpr_user_drop(text)
  FROM PUBLIC;
