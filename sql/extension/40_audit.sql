-- Row-access audit (extension/audit/, docs/dba/audit.md).

-- One row per statement and audited relation. Written only by the audit
-- writer (a background worker), never by the statement's own transaction, so
-- a reader's ROLLBACK keeps the event. Ids are dense: the writer assigns them.
CREATE TABLE gdpr.audit_log (
  id                bigint PRIMARY KEY,
  at                timestamptz NOT NULL,      -- when the statement started
  actor             text NOT NULL,             -- gdpr.actor, else the session user
  db_role           text NOT NULL,             -- the role the statement ran as
  client_addr       inet,                      -- NULL: local socket or background process
  application       text NOT NULL,
  operation         text NOT NULL,             -- SELECT, INSERT, UPDATE, DELETE, MERGE
  relation          regclass NOT NULL,
  relation_name     text NOT NULL,             -- as named then; survives a DROP
  columns           text[] NOT NULL,           -- tagged columns read or written
  key_columns       text[] NOT NULL,           -- the relation's primary key
  row_keys          jsonb,                     -- NULL: no personal data left the relation (e.g. count(*))
  key_ranges        int8multirange,            -- row_keys of integer keys, indexed
  row_keys_complete boolean NOT NULL,          -- false: capped or widened (see docs)
  row_count         bigint NOT NULL,           -- rows of the relation the statement read or changed
  query_id          bigint NOT NULL,           -- as pg_stat_statements.queryid
  masked            boolean NOT NULL,          -- read through a (masking) view
  outcome           text NOT NULL,             -- ok | refused | error
  nesting_level     integer NOT NULL,          -- 0: sent by the client; >0: inside a function
  backend_pid       integer NOT NULL,
  mac               bytea                      -- HMAC-SHA-256 chain value (NULL: no key was configured)
);
COMMENT ON TABLE gdpr.audit_log IS 'Row-level access to tagged personal data; tamper-evident (gdpr_audit_verify())';
CREATE INDEX audit_log_at_idx ON gdpr.audit_log (at);
CREATE INDEX audit_log_relation_idx ON gdpr.audit_log (relation, at);
CREATE INDEX audit_log_key_ranges_idx ON gdpr.audit_log USING gist (key_ranges);
CREATE INDEX audit_log_row_keys_idx ON gdpr.audit_log USING gin (row_keys jsonb_path_ops);

-- The chain head, recorded every 10 s / 10000 events (and in the server log),
-- so that a cut-off tail of the log is detectable.
CREATE TABLE gdpr.audit_checkpoints (
  event_id bigint PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  mac      bytea NOT NULL
);

-- Only compliance officers read the log; nobody but the writer changes it.
REVOKE ALL ON gdpr.audit_log, gdpr.audit_checkpoints FROM PUBLIC;
GRANT SELECT ON gdpr.audit_log, gdpr.audit_checkpoints TO gdpr_dpo;

-- The log and its checkpoints are data, not definitions: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('gdpr.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('gdpr.audit_checkpoints', '');

CREATE FUNCTION gdpr_audit_verify(OUT intact boolean, OUT events_checked bigint, OUT first_bad_event bigint)
  AS 'MODULE_PATHNAME', 'gdpr_audit_verify' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION gdpr_audit_verify() IS
  'Recomputes the audit log''s HMAC chain; names the first edited, deleted, reordered or missing event';
REVOKE ALL ON FUNCTION gdpr_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gdpr_audit_verify() TO gdpr_dpo;

-- Waits (at most 30 s) until every audit event queued so far is committed.
CREATE FUNCTION gdpr.audit_flush() RETURNS void
  AS 'MODULE_PATHNAME', 'gdpr_audit_flush' LANGUAGE C STRICT VOLATILE;

-- An event that read personal data of rows it could not name (COPY, a table
-- without primary key): it may have touched any row, so every row's history
-- includes it.
CREATE FUNCTION gdpr._audit_rows_unknown(l gdpr.audit_log) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT l.row_keys IS NULL AND NOT l.row_keys_complete AND l.columns <> '{}' AND l.outcome <> 'refused' $$;

-- The audit events that touched the given rows of a relation. row_keys are
-- objects naming the primary-key columns, e.g. '{"id": 42}' (the row_key of
-- gdpr_find). Used by gdpr_access_report; integer keys are found through the
-- GiST index on key_ranges, others through the GIN index on row_keys.
CREATE FUNCTION gdpr.access_events_for_rows(relation regclass, row_keys jsonb[])
RETURNS SETOF gdpr.audit_log
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  key_names text[];
  key_types regtype[];
BEGIN
  SELECT array_agg(a.attname::text ORDER BY k.ord), array_agg(a.atttypid::regtype ORDER BY k.ord)
    INTO key_names, key_types
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = access_events_for_rows.relation AND i.indisprimary;
  IF key_names IS NULL THEN
    RAISE EXCEPTION 'relation % has no primary key', relation
      USING ERRCODE = '55000', HINT = 'Audit events name rows by primary key.';
  END IF;

  IF cardinality(key_names) = 1 AND key_types[1] IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
    RETURN QUERY
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.relation = access_events_for_rows.relation
         AND (l.key_ranges && (SELECT range_agg(int8range((k ->> key_names[1])::bigint, (k ->> key_names[1])::bigint, '[]'))
                                 FROM unnest(access_events_for_rows.row_keys) AS k
                                WHERE k ? key_names[1])
              OR gdpr._audit_rows_unknown(l))
       ORDER BY l.id;
  ELSE
    RETURN QUERY
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.relation = access_events_for_rows.relation
         AND (EXISTS (
           SELECT 1 FROM unnest(access_events_for_rows.row_keys) AS k
            WHERE l.row_keys @> jsonb_build_array(
                    CASE WHEN cardinality(key_names) = 1 THEN k -> key_names[1]
                         ELSE (SELECT jsonb_agg(k -> n ORDER BY o) FROM unnest(key_names) WITH ORDINALITY AS u(n, o))
                    END))
              OR gdpr._audit_rows_unknown(l))
       ORDER BY l.id;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION gdpr.access_events_for_rows(regclass, jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gdpr.access_events_for_rows(regclass, jsonb[]) TO gdpr_dpo;
