-- Row-access audit (extension/audit/, docs/dba/audit.md).

-- One row per statement and audited relation. Written only by the audit
-- writer (a background worker), never by the statement's own transaction, so
-- a reader's ROLLBACK keeps the event. Ids are dense: the writer assigns them.
-- Partitioned by the writer's clock (logged_at, never decreasing with id), one
-- partition per UTC day, created ahead by the writer and dropped by it after
-- gdpr.audit_retention: each partition holds a contiguous run of ids, so
-- dropping the oldest leaves a chain that verifies from a checkpoint.
CREATE TABLE gdpr.audit_log (
  id                bigint NOT NULL,
  at                timestamptz NOT NULL,      -- when the statement started
  actor             text NOT NULL,             -- gdpr.actor, else the session user
  db_role           text NOT NULL,             -- the role the statement ran as
  client_addr       inet,                      -- NULL: local socket or background process
  application       text NOT NULL,
  operation         text NOT NULL,             -- SELECT, INSERT, UPDATE, DELETE, MERGE, COPY TO, COPY FROM
  relation          regclass NOT NULL,
  relation_name     text NOT NULL,             -- as named then; survives a DROP
  columns           text[] NOT NULL,           -- tagged columns read or written
  key_columns       text[] NOT NULL,           -- the relation's primary key
  row_keys          jsonb,                     -- NULL: no personal data left the relation (e.g. count(*))
  key_ranges        int8multirange,            -- row_keys of integer keys, indexed
  row_key           bigint,                    -- the one integer key of an event naming exactly one row, else NULL
  row_keys_complete boolean NOT NULL,          -- false: capped or widened (see docs)
  row_count         bigint NOT NULL,           -- rows of the relation the statement read or changed
  query_id          bigint NOT NULL,           -- as pg_stat_statements.queryid
  masked            boolean NOT NULL,          -- read through a (masking) view
  outcome           text NOT NULL,             -- ok | refused | error
  nesting_level     integer NOT NULL,          -- 0: sent by the client; >0: inside a function
  backend_pid       integer NOT NULL,
  logged_at         timestamptz NOT NULL,      -- when the writer stored it (the partition key)
  mac               bytea,                     -- HMAC-SHA-256 chain value (NULL: no key was configured)
  PRIMARY KEY (id, logged_at)
) PARTITION BY RANGE (logged_at);
COMMENT ON TABLE gdpr.audit_log IS 'Row-level access to tagged personal data; tamper-evident (gdpr_audit_verify())';

-- Indexes, chosen for the writer's cost per event (see docs/dba/audit.md):
-- time by BRIN (ids and logged_at grow together, at nearly so), and the row
-- keys in three partial indexes so that each event enters at most one of
-- them. An event that named exactly one integer row (a point read or write:
-- most of the log) carries that key in row_key, a plain column: its btree
-- entry costs the writer a fraction of an expression's or a GiST entry (and
-- a single column less than two; the relation is checked on the row).
CREATE INDEX audit_log_at_idx ON gdpr.audit_log USING brin (at);
CREATE INDEX audit_log_row_key_idx ON gdpr.audit_log (row_key) WHERE row_key IS NOT NULL;
CREATE INDEX audit_log_key_ranges_idx ON gdpr.audit_log USING gist (key_ranges)
  WHERE key_ranges IS NOT NULL AND row_key IS NULL;
CREATE INDEX audit_log_row_keys_idx ON gdpr.audit_log USING gin (row_keys jsonb_path_ops)
  WHERE key_ranges IS NULL AND row_keys IS NOT NULL;
-- Events that read personal data of rows they could not name (no primary
-- key, a COPY that failed before naming them): few, and part of every row's
-- history.
CREATE INDEX audit_log_rows_unknown_idx ON gdpr.audit_log (relation)
  WHERE row_keys IS NULL AND NOT row_keys_complete AND columns <> '{}' AND outcome <> 'refused';

-- The chain head, recorded every 10 s / 10000 events (and in the server log),
-- so that a cut-off tail of the log is detectable. kind 'retention': the last
-- event of a partition dropped by retention; verification starts after the
-- latest of these.
CREATE TABLE gdpr.audit_checkpoints (
  event_id bigint PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  mac      bytea NOT NULL,
  kind     text NOT NULL DEFAULT 'head' CHECK (kind IN ('head', 'retention'))
);

-- The writer's partition management (called through SPI by the audit
-- writer only; nobody else is granted EXECUTE).
-- The partition of the UTC day of `t`, created if missing; the writer
-- inserts the batch into the partition it returns.
-- session_replication_role = replica: other rooms' DDL event triggers (the
-- masking views' regeneration) must not fire for the log's own partitions;
-- they would take their locks inside the writer's transaction and deadlock
-- with a client's DDL.
CREATE FUNCTION gdpr._audit_ensure_partition(t timestamptz) RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
DECLARE
  day date := (t AT TIME ZONE 'UTC')::date;
  name text := 'audit_log_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass('gdpr.' || name) IS NULL THEN
    EXECUTE format('CREATE TABLE gdpr.%I PARTITION OF gdpr.audit_log FOR VALUES FROM (%L) TO (%L)',
                   name, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    EXECUTE format('REVOKE ALL ON gdpr.%I FROM PUBLIC', name);
    -- A member of the extension like its parent: pg_dump leaves it out, and
    -- DROP EXTENSION takes it along.
    EXECUTE format('ALTER EXTENSION gdpr ADD TABLE gdpr.%I', name);
  END IF;
  RETURN to_regclass('gdpr.' || name);
END
$$;

-- Drops the partitions whose whole day ended before `horizon`, oldest first.
-- Before each drop the partition's last event and mac become a 'retention'
-- checkpoint: the retained chain verifies from there. Returns how many
-- partitions were dropped.
CREATE FUNCTION gdpr._audit_drop_partitions_before(horizon timestamptz) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET session_replication_role = replica
AS $$
DECLARE
  part record;
  last_id bigint;
  last_mac bytea;
  dropped integer := 0;
BEGIN
  FOR part IN
    SELECT c.relname
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'gdpr.audit_log'::regclass AND c.relname ~ '^audit_log_p[0-9]{8}$'
       AND (to_date(substr(c.relname, 12), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= horizon
     ORDER BY c.relname
  LOOP
    EXECUTE format('SELECT id, mac FROM gdpr.%I ORDER BY id DESC LIMIT 1', part.relname) INTO last_id, last_mac;
    IF last_id IS NOT NULL AND last_mac IS NOT NULL THEN
      INSERT INTO gdpr.audit_checkpoints (event_id, mac, kind) VALUES (last_id, last_mac, 'retention')
        ON CONFLICT (event_id) DO UPDATE SET kind = 'retention';
    END IF;
    EXECUTE format('ALTER EXTENSION gdpr DROP TABLE gdpr.%I', part.relname);
    EXECUTE format('DROP TABLE gdpr.%I', part.relname);
    RAISE LOG 'gdpr audit writer: retention dropped gdpr.% (events up to %)', part.relname, last_id;
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END
$$;
REVOKE ALL ON FUNCTION gdpr._audit_ensure_partition(timestamptz), gdpr._audit_drop_partitions_before(timestamptz)
  FROM PUBLIC;

-- Only compliance officers read the log; nobody but the writer changes it.
REVOKE ALL ON gdpr.audit_log, gdpr.audit_checkpoints FROM PUBLIC;
GRANT SELECT ON gdpr.audit_log, gdpr.audit_checkpoints TO gdpr_dpo;

-- The log, its partitions and its checkpoints belong to the extension and are
-- left out of logical dumps: a restored database gets a new, empty log whose
-- chain starts again with its own writer (old events restored into it would
-- clash with its ids and chain). The log is kept by physical backups
-- (pg_basebackup, PITR), where it stays verifiable; docs/dba/audit.md.

CREATE FUNCTION gdpr_audit_verify(OUT intact boolean, OUT events_checked bigint, OUT first_bad_event bigint)
  AS 'MODULE_PATHNAME', 'gdpr_audit_verify' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION gdpr_audit_verify() IS
  'Recomputes the audit log''s HMAC chain; names the first edited, deleted, reordered or missing event';
REVOKE ALL ON FUNCTION gdpr_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gdpr_audit_verify() TO gdpr_dpo;

-- The WHERE condition the audit adds to COPY ... FROM on a tagged table
-- (extension/audit/copy.hpp): records the primary key of each row COPY is
-- about to insert, in the running COPY's audit event, and returns true.
-- Called anywhere else it does nothing. In gdpr_public because every role
-- that may COPY into a tagged table calls it. STABLE: it changes nothing in
-- the database, so COPY keeps inserting in batches.
CREATE FUNCTION gdpr_public.audit_copy_row(VARIADIC "any") RETURNS boolean
  AS 'MODULE_PATHNAME', 'gdpr_audit_copy_row' LANGUAGE C STABLE PARALLEL SAFE;
GRANT EXECUTE ON FUNCTION gdpr_public.audit_copy_row("any") TO PUBLIC;

-- Waits (at most 30 s) until every audit event queued so far is committed.
CREATE FUNCTION gdpr.audit_flush() RETURNS void
  AS 'MODULE_PATHNAME', 'gdpr_audit_flush' LANGUAGE C STRICT VOLATILE;

-- An event that read personal data of rows it could not name (a table
-- without primary key, a COPY that failed before naming them): it may have
-- touched any row, so every row's history includes it.
CREATE FUNCTION gdpr._audit_rows_unknown(l gdpr.audit_log) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$ SELECT l.row_keys IS NULL AND NOT l.row_keys_complete AND l.columns <> '{}' AND l.outcome <> 'refused' $$;

-- The audit events that touched the given rows of a relation. row_keys are
-- objects naming the primary-key columns, e.g. '{"id": 42}' (the row_key of
-- gdpr_find). Used by gdpr_access_report; integer keys are found through the
-- btree on row_key or the GiST index on key_ranges, others through the GIN
-- index on row_keys.
CREATE FUNCTION gdpr.access_events_for_rows(relation regclass, row_keys jsonb[])
RETURNS SETOF gdpr.audit_log
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  key_names text[];
  key_types regtype[];
  int_keys bigint[];
  wanted int8multirange;
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

  -- Three disjoint branches, one per index: single-key events (btree on row_key),
  -- other integer-key events (GiST), non-integer keys (GIN), plus the events
  -- that could not name their rows.
  IF cardinality(key_names) = 1 AND key_types[1] IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
    SELECT array_agg((k ->> key_names[1])::bigint),
           range_agg(int8range((k ->> key_names[1])::bigint, (k ->> key_names[1])::bigint, '[]'))
      INTO int_keys, wanted
      FROM unnest(access_events_for_rows.row_keys) AS k
     WHERE k ? key_names[1];
    RETURN QUERY
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.row_key = ANY (int_keys) AND l.relation = access_events_for_rows.relation
      UNION ALL
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.relation = access_events_for_rows.relation
         AND l.key_ranges IS NOT NULL AND l.row_key IS NULL
         AND l.key_ranges && wanted
      UNION ALL
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.relation = access_events_for_rows.relation
         AND l.row_keys IS NULL AND NOT l.row_keys_complete AND l.columns <> '{}' AND l.outcome <> 'refused'
      ORDER BY 1;
  ELSE
    RETURN QUERY
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.relation = access_events_for_rows.relation
         AND l.key_ranges IS NULL AND l.row_keys IS NOT NULL
         AND EXISTS (
           SELECT 1 FROM unnest(access_events_for_rows.row_keys) AS k
            WHERE l.row_keys @> jsonb_build_array(
                    CASE WHEN cardinality(key_names) = 1 THEN k -> key_names[1]
                         ELSE (SELECT jsonb_agg(k -> n ORDER BY o) FROM unnest(key_names) WITH ORDINALITY AS u(n, o))
                    END))
      UNION ALL
      SELECT l.* FROM gdpr.audit_log l
       WHERE l.relation = access_events_for_rows.relation
         AND l.row_keys IS NULL AND NOT l.row_keys_complete AND l.columns <> '{}' AND l.outcome <> 'refused'
      ORDER BY 1;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION gdpr.access_events_for_rows(regclass, jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gdpr.access_events_for_rows(regclass, jsonb[]) TO gdpr_dpo;
