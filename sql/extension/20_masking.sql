-- Masking: functions, policies and rules, and the per-policy masked views and
-- backend roles generated from them (docs/dba/policies.md).
--
-- For every policy P the extension maintains
--   schema gdpr_mask_P    one security_barrier view per tagged table, named like
--                         the table (gdpr.masked_views has the mapping), owned
--                         by gdpr_masker, tagged columns through their rule;
--   role gdpr_policy_P    LOGIN; the proxy connects as it. Column SELECT on the
--                         untagged columns of tagged tables only, SELECT on
--                         untagged tables and on its views, and (may_write)
--                         INSERT/UPDATE/DELETE on the tables. PostgreSQL itself
--                         then refuses it every other path to a tagged column.
-- Both are regenerated in the same transaction whenever policies, rules, tags
-- or table definitions change (rule functions and event triggers below).

------------------------------------------------------------------------------
-- Masking functions (C++, extension/masking/). Used by the generated views;
-- callable by anyone: they reveal nothing the input does not, except the
-- row form of redact, which shows a role no more than its masked view does.
------------------------------------------------------------------------------
-- partial: category-aware shape (+421 9** *** 456, j***@example.com, J*** D***).
-- STABLE: phone numbers in national notation read gdpr.default_phone_region.
-- LEAKPROOF: never raises for any value (only for an unknown category, a
-- constant in the views), so it reveals nothing through errors.
CREATE FUNCTION gdpr.mask_partial(value text, category text) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_mask_partial' LANGUAGE C STRICT STABLE LEAKPROOF PARALLEL SAFE;
-- hash: keyed stable pseudonym pseu_<16 hex>. Not LEAKPROOF: it raises when
-- gdpr.key_file is missing (independent of the value, but we stay strict).
CREATE FUNCTION gdpr.mask_hash(value text) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_mask_hash' LANGUAGE C STRICT STABLE PARALLEL SAFE;
-- redact, of a given text: e-mails, phone numbers and IBANs inside free text
-- -> [email], [phone], [iban]. It does not know names: told nothing about
-- where the text comes from, it must not reveal whether a string is someone's
-- name.
CREATE FUNCTION gdpr.mask_redact(value text) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_mask_redact' LANGUAGE C STRICT STABLE PARALLEL SAFE;
-- redact, as the masked views apply it: also every known name of a data
-- subject -> [name] (extension/masking/redact_row.cpp). It redacts the value
-- stored in column `attnum` of the row `row_id` of `row_table` (the view
-- passes tableoid and ctid), never text it is handed, and only for roles
-- whose policy shows that column redacted (or in full): callable by anyone,
-- it tells nobody anything their masked view does not. `value` is the same
-- column as the view reads it (for column privileges and the audit); NULL
-- gives NULL. A row the statement cannot see gives NULL. Not LEAKPROOF (it
-- raises 42501 for other roles), and PARALLEL SAFE.
CREATE FUNCTION gdpr.mask_redact(value text, relation regclass, row_table oid, row_id tid, attnum smallint)
  RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_mask_redact_row' LANGUAGE C STRICT STABLE PARALLEL SAFE;
-- generalize for numbers: 150 -> '100-199'. Dates and timestamps are
-- generalized with PostgreSQL's own date_trunc('month', ...) in the views.
CREATE FUNCTION gdpr.mask_generalize_number(value double precision) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_mask_generalize_number' LANGUAGE C STRICT IMMUTABLE LEAKPROOF PARALLEL SAFE;

-- Recursion guard of the regeneration (extension/masking/regeneration_guard.cpp).
CREATE FUNCTION gdpr._mask_regeneration_enter() RETURNS boolean
  AS 'MODULE_PATHNAME', 'gdpr_mask_regeneration_enter' LANGUAGE C VOLATILE;
CREATE FUNCTION gdpr._mask_regeneration_leave() RETURNS boolean
  AS 'MODULE_PATHNAME', 'gdpr_mask_regeneration_leave' LANGUAGE C VOLATILE;
CREATE FUNCTION gdpr._mask_regeneration_active() RETURNS boolean
  AS 'MODULE_PATHNAME', 'gdpr_mask_regeneration_active' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION gdpr._mask_regeneration_enter(), gdpr._mask_regeneration_leave(),
  gdpr._mask_regeneration_active() FROM PUBLIC;

------------------------------------------------------------------------------
-- Roles
------------------------------------------------------------------------------
DO $$
BEGIN
  -- Owns the masked views, so they can read the base tables the policy roles
  -- cannot. Never logs in.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gdpr_masker') THEN
    CREATE ROLE gdpr_masker NOLOGIN;
  END IF;
  -- For the proxy's own (catalog-reading) connection: policies, rules, views
  -- and users with their SCRAM verifiers. Grant it to the proxy's login role.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gdpr_proxy') THEN
    CREATE ROLE gdpr_proxy NOLOGIN;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA gdpr TO gdpr_proxy;

------------------------------------------------------------------------------
-- Catalog
------------------------------------------------------------------------------
CREATE TABLE gdpr.policies (
  name                     text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,39}$'),
  -- NULL: tagged columns without a rule get their category's default mask;
  -- 'keep' makes an unmasked policy (supervisor, dpo).
  default_rule             text CHECK (default_rule IN ('keep', 'null', 'partial', 'hash', 'redact', 'generalize')),
  may_write                boolean NOT NULL DEFAULT true,
  may_run_subject_requests boolean NOT NULL DEFAULT false,
  -- Maintained by the regeneration: false when every tagged column is kept,
  -- so the proxy can pass statements through unchanged.
  masked                   boolean NOT NULL DEFAULT true,
  backend_role             text GENERATED ALWAYS AS ('gdpr_policy_' || name) STORED,
  view_schema              text GENERATED ALWAYS AS ('gdpr_mask_' || name) STORED,
  created_at               timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE gdpr.policies IS 'Masking policies: what a proxy user of each policy may see';

CREATE TABLE gdpr.policy_rules (
  policy text NOT NULL REFERENCES gdpr.policies (name) ON DELETE CASCADE,
  relid  oid NOT NULL,
  attnum smallint NOT NULL,
  rule   text NOT NULL CHECK (rule IN ('keep', 'null', 'partial', 'hash', 'redact', 'generalize')),
  PRIMARY KEY (policy, relid, attnum)
);
COMMENT ON TABLE gdpr.policy_rules IS 'Explicit masking rules of a policy for tagged columns';

-- Which view of which policy stands for which base table (read by the proxy).
CREATE TABLE gdpr.masked_views (
  policy      text NOT NULL REFERENCES gdpr.policies (name) ON DELETE CASCADE,
  relid       oid NOT NULL,
  base_schema name NOT NULL,
  base_table  name NOT NULL,
  view_schema name NOT NULL,
  view_name   name NOT NULL,
  PRIMARY KEY (policy, relid)
);
COMMENT ON TABLE gdpr.masked_views IS 'Generated masked views: policy, base table, view (maintained by the extension)';

GRANT SELECT ON gdpr.policies, gdpr.policy_rules, gdpr.masked_views TO gdpr_dpo, gdpr_proxy;

------------------------------------------------------------------------------
-- Internals of the generation
------------------------------------------------------------------------------
-- Tagged columns and their category, straight from the gdpr security labels
-- (the label's first word is the category; the label provider validated it).
CREATE FUNCTION gdpr._mask_tagged_columns()
RETURNS TABLE (relid oid, attnum smallint, category text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT l.objoid, l.objsubid::smallint, lower(btrim(split_part(l.label, ';', 1)))
  FROM pg_seclabel l
  JOIN pg_attribute a ON a.attrelid = l.objoid AND a.attnum = l.objsubid AND NOT a.attisdropped
  WHERE l.provider = 'gdpr' AND l.classoid = 'pg_class'::regclass AND l.objsubid > 0
$$;

-- The application's tables: what policy roles get privileges on. Not system
-- schemas, not ours, not temporary, not other extensions' tables.
CREATE FUNCTION gdpr._mask_app_tables()
RETURNS TABLE (relid oid, nspname name, relname name, relispartition boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.oid, n.nspname, c.relname, c.relispartition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'gdpr')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND n.nspname NOT LIKE 'gdpr\_mask\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ORDER BY n.nspname, c.relname
$$;

-- Why `rule` cannot mask a column of this category and type; NULL when it can.
CREATE FUNCTION gdpr._mask_rule_problem(rule text, category text, typid oid)
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  base oid := typid;
  tcat "char";
BEGIN
  -- Domains are judged by their base type.
  SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END INTO base FROM pg_type t WHERE t.oid = typid;
  SELECT t.typcategory INTO tcat FROM pg_type t WHERE t.oid = base;
  CASE rule
    WHEN 'keep', 'null', 'hash' THEN
      RETURN NULL;
    WHEN 'partial' THEN
      IF category IN ('free_text', 'recording') THEN
        RETURN format('partial keeps the shape of one value; a %s column needs %s', category,
                      CASE category WHEN 'free_text' THEN 'redact, hash or null' ELSE 'null or hash' END);
      END IF;
      IF tcat <> 'S' AND base NOT IN ('inet'::regtype, 'cidr'::regtype) THEN
        RETURN format('partial needs a text column, not %s', format_type(typid, NULL));
      END IF;
    WHEN 'redact' THEN
      IF tcat <> 'S' THEN
        RETURN format('redact rewrites text, not %s', format_type(typid, NULL));
      END IF;
    WHEN 'generalize' THEN
      IF base NOT IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype, 'int2'::regtype,
                      'int4'::regtype, 'int8'::regtype, 'numeric'::regtype, 'float4'::regtype, 'float8'::regtype) THEN
        RETURN format('generalize needs a date, timestamp or number column, not %s', format_type(typid, NULL));
      END IF;
    ELSE
      RETURN format('unknown rule "%s"', rule);
  END CASE;
  RETURN NULL;
END
$$;

-- Privacy by default: the mask of a tagged column no rule speaks for.
CREATE FUNCTION gdpr._mask_category_default(category text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE category
    WHEN 'email' THEN 'partial' WHEN 'phone' THEN 'partial' WHEN 'name' THEN 'partial'
    WHEN 'address' THEN 'partial' WHEN 'ip_address' THEN 'partial' WHEN 'payment' THEN 'partial'
    WHEN 'national_id' THEN 'hash' WHEN 'identifier' THEN 'hash'
    WHEN 'birth_date' THEN 'generalize' WHEN 'free_text' THEN 'redact'
    ELSE 'null'  -- recording, special (art. 9) and anything unknown
  END
$$;

-- The rule a policy applies to one tagged column: its explicit rule, else the
-- policy's default rule, else the category's default; a default that does
-- not fit the column's type falls back to null (never to keep).
CREATE FUNCTION gdpr._mask_effective_rule(p_policy text, p_relid oid, p_attnum smallint, p_category text, p_typid oid)
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r text;
BEGIN
  SELECT pr.rule INTO r FROM gdpr.policy_rules pr
  WHERE pr.policy = p_policy AND pr.relid = p_relid AND pr.attnum = p_attnum;
  IF r IS NOT NULL THEN
    RETURN r;
  END IF;
  SELECT p.default_rule INTO r FROM gdpr.policies p WHERE p.name = p_policy;
  IF r IS NOT NULL AND gdpr._mask_rule_problem(r, p_category, p_typid) IS NULL THEN
    RETURN r;
  END IF;
  r := gdpr._mask_category_default(p_category);
  IF gdpr._mask_rule_problem(r, p_category, p_typid) IS NULL THEN
    RETURN r;
  END IF;
  RETURN 'null';
END
$$;

-- May role p_role see column p_attnum of p_relid redacted? Yes when it may
-- read the column itself, or has the privileges of a policy role whose rule
-- for the column is redact or keep. Asked by gdpr.mask_redact(value,
-- relation, ...) through fmgr; not callable from SQL (revoked from PUBLIC).
CREATE FUNCTION gdpr._mask_redact_allowed(p_role oid, p_relid oid, p_attnum smallint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = p_relid AND c.relkind IN ('r', 'p'))  -- tables only
     AND (coalesce(has_column_privilege(p_role, p_relid, p_attnum, 'SELECT'), false)
      OR EXISTS (SELECT 1
                 FROM gdpr.policies p
                 JOIN pg_roles r ON r.rolname = p.backend_role
                 JOIN gdpr._mask_tagged_columns() tc ON tc.relid = p_relid AND tc.attnum = p_attnum
                 JOIN pg_attribute a ON a.attrelid = p_relid AND a.attnum = p_attnum AND NOT a.attisdropped
                 WHERE pg_has_role(p_role, r.oid, 'USAGE')
                   AND gdpr._mask_effective_rule(p.name, p_relid, p_attnum, tc.category, a.atttypid)
                       IN ('redact', 'keep')))
$$;
REVOKE ALL ON FUNCTION gdpr._mask_redact_allowed(oid, oid, smallint) FROM PUBLIC;

-- The select-list expression of one column of a masked view.
-- `null` on a NOT NULL text or bytea column gives the empty value instead, so
-- a masked copy (pg_dump through the proxy) still loads into the same schema.
CREATE FUNCTION gdpr._mask_expression(rule text, category text, attname name, typid oid, typmod integer,
                                      relid oid, attnum smallint, not_null boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  base oid;
BEGIN
  -- Known names are redacted from the stored row, fetched by its TID, which
  -- would bypass row-level security: such tables get NULL instead (fail closed).
  IF rule = 'redact' AND (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = relid) THEN
    RAISE WARNING 'gdpr: %.% is masked as NULL, not redacted: its table has row-level security',
      relid::regclass, quote_ident(attname)
      USING HINT = 'Redaction of known names reads rows by TID, which row-level security does not filter.';
    RETURN format('NULL::text AS %I', attname);
  END IF;
  SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END INTO base FROM pg_type t WHERE t.oid = typid;
  RETURN CASE rule
    WHEN 'keep' THEN format('%I', attname)
    WHEN 'null' THEN
      CASE WHEN not_null AND base IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'bytea'::regtype)
             THEN format('''''::%s', format_type(typid, typmod))
           ELSE format('NULL::%s', format_type(typid, typmod))
      END
    WHEN 'partial' THEN format('gdpr.mask_partial(%I::text, %L)', attname, category)
    -- The pseudonym of a value must not depend on session settings
    -- (DateStyle, TimeZone, bytea_output): hash a canonical text.
    WHEN 'hash' THEN
      CASE WHEN base = 'date'::regtype THEN format('gdpr.mask_hash(to_char(%I, ''YYYY-MM-DD''))', attname)
           WHEN base = 'timestamptz'::regtype
             THEN format('gdpr.mask_hash(to_char(%I AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"''))', attname)
           WHEN base = 'timestamp'::regtype
             THEN format('gdpr.mask_hash(to_char(%I, ''YYYY-MM-DD"T"HH24:MI:SS.US''))', attname)
           WHEN base = 'bytea'::regtype THEN format('gdpr.mask_hash(encode(%I, ''hex''))', attname)
           ELSE format('gdpr.mask_hash(%I::text)', attname)
      END
    -- The row is named by the view's own tableoid and ctid (see gdpr.mask_redact).
    WHEN 'redact' THEN format('gdpr.mask_redact(%I::text, %L::regclass, tableoid, ctid, %s::smallint)',
                              attname, relid::regclass::text, attnum)
    WHEN 'generalize' THEN
      CASE WHEN base = 'date'::regtype THEN format('date_trunc(''month'', %I)::date', attname)
           WHEN base IN ('timestamp'::regtype, 'timestamptz'::regtype) THEN format('date_trunc(''month'', %I)', attname)
           ELSE format('gdpr.mask_generalize_number(%I::double precision)', attname)
      END
  END || format(' AS %I', attname);
END
$$;

-- Drops every generated view (before DDL that their dependencies would
-- block: DROP TABLE, ALTER COLUMN TYPE, ...); the regeneration at
-- ddl_command_end creates them again.
CREATE FUNCTION gdpr._mask_drop_views() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  SET client_min_messages = warning AS $$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN gdpr.policies p ON n.nspname = p.view_schema
           WHERE c.relkind = 'v' LOOP
    EXECUTE format('DROP VIEW IF EXISTS %I.%I CASCADE', v.nspname, v.relname);
  END LOOP;
END
$$;

-- One policy: its role, schema, views and privileges, from scratch.
CREATE FUNCTION gdpr._mask_generate_policy(p gdpr.policies) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t record;
  col record;
  exprs text[];
  untagged text[];
  rule text;
  view_name text;
  any_masked boolean := false;
  table_masked boolean;
  app_schemas name[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p.backend_role) THEN
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', p.backend_role);
    EXECUTE format('COMMENT ON ROLE %I IS %L', p.backend_role,
                   'pg_gdpr backend role of masking policy ' || p.name || ' (gdpr-proxy logs in as it)');
  END IF;
  EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', p.view_schema);
  EXECUTE format('CREATE SCHEMA %I AUTHORIZATION gdpr_masker', p.view_schema);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', p.view_schema, p.backend_role);

  FOR t IN SELECT * FROM gdpr._mask_app_tables() LOOP
    -- Also drops column privileges: every regeneration starts from nothing.
    EXECUTE format('REVOKE ALL ON TABLE %I.%I FROM %I', t.nspname, t.relname, p.backend_role);
    -- Partitions are reached through their parent only (their own labels
    -- could differ from the parent's); fail closed.
    CONTINUE WHEN t.relispartition;
    IF NOT t.nspname = ANY (app_schemas) THEN
      app_schemas := app_schemas || t.nspname;
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', t.nspname, p.backend_role);
    END IF;
    exprs := '{}';
    table_masked := false;
    untagged := '{}';
    FOR col IN SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, tc.category
               FROM pg_attribute a
               LEFT JOIN gdpr._mask_tagged_columns() tc ON tc.relid = a.attrelid AND tc.attnum = a.attnum
               WHERE a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
               ORDER BY a.attnum LOOP
      IF col.category IS NULL THEN
        exprs := exprs || format('%I', col.attname);
        untagged := untagged || format('%I', col.attname);
      ELSE
        rule := gdpr._mask_effective_rule(p.name, t.relid, col.attnum, col.category, col.atttypid);
        any_masked := any_masked OR rule <> 'keep';
        table_masked := table_masked OR rule <> 'keep';
        exprs := exprs || gdpr._mask_expression(rule, col.category, col.attname, col.atttypid, col.atttypmod,
                                                 t.relid, col.attnum, col.attnotnull);
      END IF;
    END LOOP;

    -- A table this policy sees whole (no column masked: supervisor, dpo)
    -- is readable as it is, so the proxy can pass such users' statements
    -- unchanged (schema-qualified names included).
    IF cardinality(untagged) = cardinality(exprs) OR NOT table_masked THEN
      EXECUTE format('GRANT SELECT ON TABLE %I.%I TO %I', t.nspname, t.relname, p.backend_role);
    END IF;
    IF cardinality(untagged) <> cardinality(exprs) THEN
      IF cardinality(untagged) > 0 THEN
        EXECUTE format('GRANT SELECT (%s) ON TABLE %I.%I TO %I', array_to_string(untagged, ', '),
                       t.nspname, t.relname, p.backend_role);
      END IF;
      -- A table readable by PUBLIC would hand its tagged columns to every
      -- policy role: fail closed.
      IF EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) x
                 WHERE c.oid = t.relid AND x.grantee = 0 AND x.privilege_type = 'SELECT')
         OR EXISTS (SELECT 1 FROM pg_attribute a, aclexplode(a.attacl) x
                    WHERE a.attrelid = t.relid AND x.grantee = 0 AND x.privilege_type = 'SELECT') THEN
        RAISE WARNING 'gdpr: revoking SELECT on %.% from PUBLIC: it has tagged columns', t.nspname, t.relname;
        EXECUTE format('REVOKE SELECT ON TABLE %I.%I FROM PUBLIC', t.nspname, t.relname);
      END IF;
      -- Named like the table; schema-prefixed only when two tagged tables
      -- share a name.
      view_name := t.relname;
      IF t.nspname <> 'public' AND EXISTS (
           SELECT 1 FROM gdpr._mask_app_tables() o
           WHERE o.relname = t.relname AND o.relid <> t.relid
             AND EXISTS (SELECT 1 FROM gdpr._mask_tagged_columns() tc WHERE tc.relid = o.relid)) THEN
        view_name := t.nspname || '_' || t.relname;
      END IF;
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO gdpr_masker', t.nspname);
      EXECUTE format('GRANT SELECT ON TABLE %I.%I TO gdpr_masker', t.nspname, t.relname);
      EXECUTE format('CREATE VIEW %I.%I WITH (security_barrier = true) AS SELECT %s FROM %I.%I',
                     p.view_schema, view_name, array_to_string(exprs, ', '), t.nspname, t.relname);
      EXECUTE format('ALTER VIEW %I.%I OWNER TO gdpr_masker', p.view_schema, view_name);
      EXECUTE format('GRANT SELECT ON TABLE %I.%I TO %I', p.view_schema, view_name, p.backend_role);
      INSERT INTO gdpr.masked_views VALUES (p.name, t.relid, t.nspname, t.relname, p.view_schema, view_name);
    END IF;

    IF p.may_write THEN
      -- Writing a value is not reading it: column SELECT stays as above, and
      -- PostgreSQL demands SELECT for columns in WHERE, RETURNING, SET x = x.
      EXECUTE format('GRANT INSERT, UPDATE, DELETE ON TABLE %I.%I TO %I', t.nspname, t.relname, p.backend_role);
    END IF;
  END LOOP;

  -- A sequence's position is no personal data, and pg_dump reads it (a
  -- masked pg_dump through the proxy is the developers' anonymised copy).
  -- serial columns call nextval() with the inserter's rights, hence USAGE for
  -- writers (identity columns need nothing).
  FOR t IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'S' AND n.nspname = ANY (app_schemas) LOOP
    EXECUTE format('GRANT SELECT ON SEQUENCE %I.%I TO %I', t.nspname, t.relname, p.backend_role);
    IF p.may_write THEN
      EXECUTE format('GRANT USAGE ON SEQUENCE %I.%I TO %I', t.nspname, t.relname, p.backend_role);
    END IF;
  END LOOP;

  IF p.may_run_subject_requests THEN
    EXECUTE format('GRANT gdpr_dpo TO %I', p.backend_role);
  ELSIF pg_has_role(p.backend_role, 'gdpr_dpo', 'MEMBER') THEN
    EXECUTE format('REVOKE gdpr_dpo FROM %I', p.backend_role);
  END IF;

  IF p.masked IS DISTINCT FROM any_masked THEN
    UPDATE gdpr.policies SET masked = any_masked WHERE name = p.name;
  END IF;
END
$$;

CREATE FUNCTION gdpr._mask_regenerate_now() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  SET client_min_messages = warning AS $$
DECLARE
  p gdpr.policies;
BEGIN
  -- One regeneration at a time per database: concurrent ones would race on
  -- CREATE ROLE / CREATE SCHEMA.
  PERFORM pg_advisory_xact_lock(hashtext('gdpr._mask_regenerate'));
  -- Rules of dropped tables or columns: gone with them.
  DELETE FROM gdpr.policy_rules r
  WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = r.relid AND a.attnum = r.attnum AND NOT a.attisdropped);
  DELETE FROM gdpr.masked_views;
  FOR p IN SELECT * FROM gdpr.policies ORDER BY name LOOP
    PERFORM gdpr._mask_generate_policy(p);
  END LOOP;
END
$$;

-- The entry point: regenerates every policy unless a regeneration is already
-- running in this backend (its own DDL fires the event triggers again).
CREATE FUNCTION gdpr._mask_regenerate() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT gdpr._mask_regeneration_enter() THEN
    RETURN;
  END IF;
  -- On error the (sub)transaction abort clears the guard (regeneration_guard.cpp).
  PERFORM gdpr._mask_regenerate_now();
  PERFORM gdpr._mask_regeneration_leave();
  -- The proxy reloads its catalog (and drops cached rewrites) on commit.
  PERFORM pg_notify('gdpr_catalog', 'policies');
END
$$;

------------------------------------------------------------------------------
-- User-facing functions (DBAs only: EXECUTE revoked from PUBLIC)
------------------------------------------------------------------------------
CREATE FUNCTION gdpr._mask_policy_must_exist(p_name text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM gdpr.policies WHERE name = p_name) THEN
    RAISE EXCEPTION 'masking policy "%" does not exist', p_name
      USING ERRCODE = 'undefined_object',
            HINT = 'Create it with gdpr_policy_create(); SELECT name FROM gdpr.policies lists the existing ones.';
  END IF;
END
$$;

CREATE FUNCTION gdpr_policy_create(name text, default_rule text DEFAULT NULL, may_write boolean DEFAULT true,
                                   may_run_subject_requests boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF name IS NULL OR name !~ '^[a-z][a-z0-9_]{0,39}$' THEN
    RAISE EXCEPTION 'invalid policy name "%"', name
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A policy name is 1-40 characters: a lower-case letter, then lower-case letters, digits or _.';
  END IF;
  IF default_rule IS NOT NULL AND default_rule NOT IN ('keep', 'null', 'partial', 'hash', 'redact', 'generalize') THEN
    RAISE EXCEPTION 'unknown masking rule "%"', default_rule
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Rules: keep, null, partial, hash, redact, generalize; NULL means each category''s default.';
  END IF;
  IF EXISTS (SELECT 1 FROM gdpr.policies p WHERE p.name = gdpr_policy_create.name) THEN
    RAISE EXCEPTION 'masking policy "%" already exists', name
      USING ERRCODE = 'duplicate_object', HINT = 'Change its rules with gdpr_policy_rule(), or drop it first.';
  END IF;
  INSERT INTO gdpr.policies (name, default_rule, may_write, may_run_subject_requests)
  VALUES (gdpr_policy_create.name, gdpr_policy_create.default_rule, gdpr_policy_create.may_write,
          gdpr_policy_create.may_run_subject_requests);
  PERFORM gdpr._mask_regenerate();
  RETURN 'gdpr_policy_' || name;
END
$$;
COMMENT ON FUNCTION gdpr_policy_create(text, text, boolean, boolean) IS
  'Creates a masking policy, its masked views (schema gdpr_mask_<name>) and its backend login role gdpr_policy_<name>';

-- rule NULL removes the explicit rule (the column falls back to the default).
-- Two halves: this SECURITY INVOKER front resolves 'table.column' with the
-- caller's search_path (a SECURITY DEFINER function must pin its own), the
-- internal one checks and stores the rule with the extension owner's rights.
CREATE FUNCTION gdpr_policy_rule(policy text, column_name text, rule text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  parts text[];
  rel oid;
BEGIN
  BEGIN
    parts := pg_catalog.parse_ident(column_name);
  EXCEPTION WHEN invalid_parameter_value OR invalid_text_representation THEN
    parts := NULL;
  END;
  IF parts IS NULL OR pg_catalog.cardinality(parts) NOT IN (2, 3) THEN
    RAISE EXCEPTION 'invalid column reference "%"', column_name
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Write ''table.column'' or ''schema.table.column'' (quote mixed-case names: ''"Calls".caller'').';
  END IF;
  rel := pg_catalog.to_regclass(pg_catalog.array_to_string(ARRAY(
           SELECT pg_catalog.quote_ident(x) FROM pg_catalog.unnest(parts[1:pg_catalog.cardinality(parts) - 1]) x), '.'));
  IF rel IS NULL THEN
    RAISE EXCEPTION 'table "%" does not exist', pg_catalog.array_to_string(parts[1:pg_catalog.cardinality(parts) - 1], '.')
      USING ERRCODE = 'undefined_table', HINT = 'Check the name and the search_path, or qualify it with its schema.';
  END IF;
  PERFORM gdpr._policy_rule(policy, rel, parts[pg_catalog.cardinality(parts)], rule);
END
$$;
COMMENT ON FUNCTION gdpr_policy_rule(text, text, text) IS
  'Sets the masking rule of a policy for a tagged column (keep|null|partial|hash|redact|generalize; NULL = default)';

CREATE FUNCTION gdpr._policy_rule(policy text, rel oid, attname text, rule text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  att record;
  category text;
  problem text;
BEGIN
  PERFORM gdpr._mask_policy_must_exist(policy);
  IF rule IS NOT NULL AND rule NOT IN ('keep', 'null', 'partial', 'hash', 'redact', 'generalize') THEN
    RAISE EXCEPTION 'unknown masking rule "%"', rule
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Rules: keep, null, partial, hash, redact, generalize; NULL removes the rule (category default).';
  END IF;
  SELECT a.attnum, a.atttypid INTO att FROM pg_attribute a
  WHERE a.attrelid = rel AND a.attname = _policy_rule.attname AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'column "%" of table % does not exist', attname, rel::regclass
      USING ERRCODE = 'undefined_column', HINT = 'Column names are case-sensitive when quoted.';
  END IF;
  SELECT tc.category INTO category FROM gdpr._mask_tagged_columns() tc WHERE tc.relid = rel AND tc.attnum = att.attnum;
  IF category IS NULL THEN
    RAISE EXCEPTION 'column %.% is not tagged as personal data', rel::regclass, quote_ident(attname)
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Untagged columns are not masked. Tag it first: SECURITY LABEL FOR gdpr ON COLUMN ... IS ''<category>''.';
  END IF;
  IF rule IS NULL THEN
    DELETE FROM gdpr.policy_rules pr WHERE pr.policy = _policy_rule.policy AND pr.relid = rel AND pr.attnum = att.attnum;
  ELSE
    problem := gdpr._mask_rule_problem(rule, category, att.atttypid);
    IF problem IS NOT NULL THEN
      RAISE EXCEPTION 'rule "%" does not fit column %.%', rule, rel::regclass, quote_ident(attname)
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('%s (category %s, type %s).', problem, category, format_type(att.atttypid, NULL)),
              HINT = 'keep, null and hash fit every column; see docs/dba/policies.md for the others.';
    END IF;
    INSERT INTO gdpr.policy_rules AS pr (policy, relid, attnum, rule)
    VALUES (_policy_rule.policy, rel, att.attnum, _policy_rule.rule)
    ON CONFLICT ON CONSTRAINT policy_rules_pkey DO UPDATE SET rule = excluded.rule;
  END IF;
  PERFORM gdpr._mask_regenerate();
END
$$;

CREATE FUNCTION gdpr_policy_drop(name text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET client_min_messages = warning AS $$
DECLARE
  p gdpr.policies;
BEGIN
  PERFORM gdpr._mask_policy_must_exist(name);
  IF to_regclass('gdpr.users') IS NOT NULL
     AND EXISTS (SELECT 1 FROM gdpr.users u WHERE u.policy = gdpr_policy_drop.name) THEN
    RAISE EXCEPTION 'masking policy "%" still has users', name
      USING ERRCODE = 'dependent_objects_still_exist',
            HINT = 'Drop them (gdpr_user_drop) or move them to another policy first; see gdpr.users.';
  END IF;
  DELETE FROM gdpr.policies pp WHERE pp.name = gdpr_policy_drop.name RETURNING * INTO p;
  PERFORM gdpr._mask_regeneration_enter();
  EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', p.view_schema);
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p.backend_role) THEN
    -- Revokes its privileges in this database.
    EXECUTE format('DROP OWNED BY %I', p.backend_role);
    BEGIN
      EXECUTE format('DROP ROLE %I', p.backend_role);
    EXCEPTION WHEN dependent_objects_still_exist THEN
      -- Roles are per cluster, policies per database: another database
      -- (a copy of this one, say) still has a policy of the same name.
      RAISE WARNING 'role % is still used in another database; it was kept', p.backend_role;
    END;
  END IF;
  PERFORM gdpr._mask_regeneration_leave();
  PERFORM pg_notify('gdpr_catalog', 'policies');
END
$$;
COMMENT ON FUNCTION gdpr_policy_drop(text) IS 'Drops a masking policy with its masked views and backend role';

REVOKE ALL ON FUNCTION gdpr_policy_create(text, text, boolean, boolean), gdpr_policy_rule(text, text, text),
  gdpr._policy_rule(text, oid, text, text), gdpr_policy_drop(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gdpr._mask_regenerate(), gdpr._mask_regenerate_now(), gdpr._mask_drop_views(),
  gdpr._mask_generate_policy(gdpr.policies) FROM PUBLIC;

-- The rules of every policy, readable: one row per tagged column and policy.
CREATE VIEW gdpr.policy_columns AS
SELECT p.name AS policy, n.nspname AS schema_name, c.relname AS table_name, a.attname AS column_name,
       tc.category, gdpr._mask_effective_rule(p.name, c.oid, a.attnum, tc.category, a.atttypid) AS rule,
       EXISTS (SELECT 1 FROM gdpr.policy_rules r WHERE r.policy = p.name AND r.relid = c.oid AND r.attnum = a.attnum)
         AS explicit
FROM gdpr.policies p
CROSS JOIN gdpr._mask_tagged_columns() tc
JOIN pg_class c ON c.oid = tc.relid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = tc.relid AND a.attnum = tc.attnum;
COMMENT ON VIEW gdpr.policy_columns IS 'Effective masking rule of every tagged column under every policy';
GRANT SELECT ON gdpr.policy_columns TO gdpr_dpo, gdpr_proxy;

------------------------------------------------------------------------------
-- Automatic regeneration: tags, tables and types change -> views follow, in
-- the same transaction.
------------------------------------------------------------------------------
-- Sessions of a policy's backend role (proxy users) own nothing a policy
-- depends on: at most their temporary tables. Their DDL must not make every
-- policy be rebuilt (that would let any proxy user stall the others).
-- session_user, not current_user: the trigger functions are SECURITY DEFINER,
-- and the proxy makes sure its sessions cannot change roles.
CREATE FUNCTION gdpr._mask_session_is_policy_role() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM gdpr.policies WHERE backend_role = session_user)
$$;

-- Commands that the generated views would block (DROP TABLE, ALTER COLUMN
-- TYPE, DROP COLUMN, ...) drop them first; ddl_command_end recreates them.
CREATE FUNCTION gdpr._mask_on_ddl_start() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF gdpr._mask_regeneration_active() OR NOT EXISTS (SELECT 1 FROM gdpr.policies)
     OR gdpr._mask_session_is_policy_role() THEN
    RETURN;
  END IF;
  PERFORM gdpr._mask_drop_views();
END
$$;

CREATE FUNCTION gdpr._mask_on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF gdpr._mask_regeneration_active() OR NOT EXISTS (SELECT 1 FROM gdpr.policies)
     OR gdpr._mask_session_is_policy_role() THEN
    RETURN;
  END IF;
  -- Temporary tables of a session are none of the policies' business.
  IF tg_tag IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP EXTENSION', 'ALTER TYPE',
                'DROP TYPE', 'ALTER DOMAIN', 'DROP DOMAIN')
     OR EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() c
                WHERE c.schema_name IS NULL OR c.schema_name NOT LIKE 'pg\_temp%') THEN
    PERFORM gdpr._mask_regenerate();
  END IF;
END
$$;
REVOKE ALL ON FUNCTION gdpr._mask_on_ddl_start(), gdpr._mask_on_ddl_end() FROM PUBLIC;

CREATE EVENT TRIGGER gdpr_mask_ddl_start ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP EXTENSION', 'ALTER TYPE',
               'DROP TYPE', 'ALTER DOMAIN', 'DROP DOMAIN')
  EXECUTE FUNCTION gdpr._mask_on_ddl_start();
CREATE EVENT TRIGGER gdpr_mask_ddl_end ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE', 'DROP TABLE', 'SECURITY LABEL',
               'CREATE SCHEMA', 'ALTER SCHEMA', 'DROP SCHEMA', 'DROP OWNED', 'DROP EXTENSION', 'ALTER TYPE',
               'DROP TYPE', 'ALTER DOMAIN', 'DROP DOMAIN')
  EXECUTE FUNCTION gdpr._mask_on_ddl_end();
