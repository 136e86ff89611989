-- Retention: personal data leaves when it is no longer needed, on its own
-- (docs/dba/retention.md explains the design in full).
--
-- A table labelled 'retention=<interval>; retention_column=<col>' keeps a row
-- until <col> is older than <interval>; then the row is deleted or anonymised
-- per the table's erase mode. A run works table by table (tables that refer to
-- others first), in batches of the oldest gdpr.retention_batch_size rows past
-- retention, one transaction per batch: CALL gdpr_apply_retention() commits
-- between batches, and the background worker (extension/retention/) does the
-- same from C++. Both drive the same three functions:
--   gdpr._retention_start(trigger, dry_run, batch_size) -> state jsonb
--   gdpr._retention_step(state)                        -> state jsonb (one batch)
--   gdpr._retention_finish(state, error)                -> report jsonb (logged in gdpr.retention_runs)
-- The state carries, per table, the cut-off fixed at the start of the run, the
-- counts, and a keyset cursor (retention column, primary key) so rows that are
-- skipped (legal hold, still referenced) are passed over, never re-read.
--
-- Resuming: what a batch did is committed; a run that is interrupted leaves
-- rows past retention that the next run picks up. Anonymised rows are
-- recognised by their values: every column retention overwrites already holds
-- its erased value (gdpr._subject_erase_value: NULL, or '[erased]' where NULL
-- is not allowed), so no marker column is needed and an anonymised row is never
-- picked twice. Rows under legal hold (gdpr_hold) are skipped; they are the
-- rows gdpr_find returns for the held identifier.

-- ------------------------------------------------------------ legal holds
CREATE TABLE gdpr.legal_holds (
  id_hash text        PRIMARY KEY,  -- keyed hash of the held identifier (gdpr._subject_request); never the identifier
  kind    text        NOT NULL,     -- email, phone, ... as gdpr_find recognised it
  reason  text        NOT NULL,     -- why (a case number, "accounting law"): must not name the person
  held_by text        NOT NULL,
  held_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE gdpr.legal_holds IS
  'Legal holds: the identified person''s rows are exempt from retention and from gdpr_erase (identifiers as keyed hashes)';
GRANT SELECT ON gdpr.legal_holds TO gdpr_dpo;
SELECT pg_catalog.pg_extension_config_dump('gdpr.legal_holds', '');

-- The hold (its reason) that covers any of these identifier hashes, or NULL.
-- A hold covers a person: her identifier closure (gdpr._subject_closure, as
-- gdpr_find follows it) is compared with the held hashes, so holding her
-- e-mail also holds what her e-mail leads to, and the other way round.
CREATE FUNCTION gdpr._legal_hold_reason_for_hashes(hashes text[]) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT string_agg(h.reason, '; ' ORDER BY h.held_at)
      FROM gdpr.legal_holds h
     WHERE h.id_hash = ANY (gdpr._subject_closure(hashes))
        OR hashes && gdpr._subject_closure(ARRAY[h.id_hash])
  $$;

-- The hook the erase function calls: the reason of the hold on this person,
-- or NULL when she is not held.
CREATE FUNCTION gdpr.legal_hold_reason(identifier text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT gdpr._legal_hold_reason_for_hashes(ARRAY[(gdpr._subject_request(identifier)).id_hash]) $$;
COMMENT ON FUNCTION gdpr.legal_hold_reason(text) IS
  'Reason of the legal hold covering this person, NULL if none (gdpr_erase refuses held persons)';

CREATE FUNCTION gdpr_hold(identifier text, reason text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  req record;
  rows_held bigint;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  IF reason IS NULL OR btrim(reason) = '' THEN
    RAISE EXCEPTION 'gdpr_hold: a legal hold needs a reason' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Say why the data must be kept, e.g. a case number or the law that requires it (not the person''s name).';
  END IF;
  req := gdpr._subject_request(identifier);
  INSERT INTO gdpr.legal_holds AS h (id_hash, kind, reason, held_by)
  VALUES (req.id_hash, req.kind, btrim(reason),
          coalesce(nullif(current_setting('gdpr.actor', true), ''), session_user::text))
  ON CONFLICT (id_hash) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, held_at = now();
  SELECT count(*) INTO rows_held FROM gdpr._subject_rows(gdpr._subject_closure(ARRAY[req.id_hash]));
  RETURN jsonb_build_object('identifier_kind', req.kind, 'reason', btrim(reason), 'rows_held', rows_held);
END
$$;
COMMENT ON FUNCTION gdpr_hold(text, text) IS
  'Places a legal hold on a person: her rows (as gdpr_find finds them) are exempt from retention and erase';

CREATE FUNCTION gdpr_release(identifier text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  req record;
  released text;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  req := gdpr._subject_request(identifier);
  DELETE FROM gdpr.legal_holds WHERE id_hash = req.id_hash RETURNING reason INTO released;
  IF released IS NULL THEN
    RAISE EXCEPTION 'gdpr_release: no legal hold on this identifier' USING ERRCODE = 'no_data_found',
      HINT = 'Holds are released with the identifier they were placed with; see gdpr.legal_holds (kind, held_at).';
  END IF;
  RETURN jsonb_build_object('identifier_kind', req.kind, 'released_reason', released);
END
$$;
COMMENT ON FUNCTION gdpr_release(text) IS 'Releases the legal hold placed on this identifier';

-- ------------------------------------------------------------ tables and their rules
-- Every table with a retention rule, tables that refer to others first (a
-- child's rows go before the parent rows they point to).
CREATE FUNCTION gdpr._retention_tables(OUT relid oid, OUT erase text, OUT retention interval,
                                       OUT retention_column name, OUT depth integer)
  RETURNS SETOF record
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    WITH RECURSIVE labelled AS (
      SELECT s.objoid AS relid, coalesce(l.erase, 'delete') AS erase, l.retention, l.retention_column
        FROM pg_seclabel s CROSS JOIN LATERAL gdpr._table_label(s.label) l
       WHERE s.provider = 'gdpr' AND s.classoid = 'pg_class'::regclass AND s.objsubid = 0
         AND l.retention IS NOT NULL),
    up(relid, parent, depth) AS (
      SELECT l.relid, l.relid, 0 FROM labelled l
      UNION ALL
      SELECT up.relid, c.confrelid, up.depth + 1
        FROM up JOIN pg_constraint c ON c.contype = 'f' AND c.conrelid = up.parent AND c.confrelid <> c.conrelid
       WHERE up.depth < 10)
    SELECT l.relid, l.erase, l.retention, l.retention_column, (SELECT max(u.depth) FROM up u WHERE u.relid = l.relid)
      FROM labelled l
     ORDER BY 5 DESC, l.relid::regclass::text
  $$;

-- What anonymising a row of the table writes: every tagged column gets its
-- erase value (the subject room's rule), and nullable foreign keys to tables
-- holding subject identifiers are cut (an anonymised call must not still lead
-- to its caller's contact row).
CREATE FUNCTION gdpr._retention_anonymize_sets(p_relid oid, OUT column_name name, OUT erase_value text)
  RETURNS SETOF record
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT t.column_name::name, gdpr._subject_erase_value(p_relid, t.attnum)
      FROM gdpr._subject_tags() t WHERE t.relid = p_relid
    UNION
    SELECT a.attname, 'NULL'
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
     WHERE c.contype = 'f' AND c.conrelid = p_relid AND NOT a.attnotnull
       AND EXISTS (SELECT 1 FROM gdpr._subject_tags() t WHERE t.relid = c.confrelid AND t.subject)
  $$;

-- SQL text over alias c: "this row still holds personal data that retention
-- removes" -- true for erase=delete tables; for erase=anonymize tables, some
-- column is not yet at its erased value.
CREATE FUNCTION gdpr._retention_pending_sql(p_relid oid, p_erase text) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  pending text;
BEGIN
  IF p_erase <> 'anonymize' THEN
    RETURN 'true';
  END IF;
  SELECT '(' || string_agg(format('c.%I IS DISTINCT FROM %s', s.column_name, s.erase_value), ' OR '
                           ORDER BY s.column_name) || ')'
    INTO pending FROM gdpr._retention_anonymize_sets(p_relid) s;
  RETURN coalesce(pending, 'false');
END
$$;

-- Primary keys of the table's rows that a legal hold covers (as jsonb row keys).
CREATE FUNCTION gdpr._retention_held_keys(p_relid oid) RETURNS jsonb[]
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT coalesce(array_agg(DISTINCT m.row_key), '{}')
      FROM gdpr.legal_holds h
     CROSS JOIN LATERAL gdpr._subject_rows(gdpr._subject_closure(ARRAY[h.id_hash])) m
     WHERE m.relid = p_relid
  $$;

-- SQL text over alias c: "another row still refers to this one" (foreign keys
-- into the table); such rows are kept until the referring rows are gone.
CREATE FUNCTION gdpr._retention_referenced_sql(p_relid oid) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT coalesce(string_agg(format('EXISTS (SELECT 1 FROM %s r WHERE (%s) = (%s))', c.conrelid::regclass,
                      (SELECT string_agg('r.' || quote_ident(a.attname), ', ' ORDER BY k.ord)
                         FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
                         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
                      (SELECT string_agg('c.' || quote_ident(a.attname), ', ' ORDER BY k.ord)
                         FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
                         JOIN pg_attribute a ON a.attrelid = p_relid AND a.attnum = k.n)), ' OR '), 'false')
      FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = p_relid
  $$;

-- The timestamp of the table's oldest row that still holds personal data
-- retention would remove (its oldest row, for erase=delete tables).
CREATE FUNCTION gdpr._retention_oldest(p_relid oid) RETURNS timestamptz
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  t record;
  oldest timestamptz;
BEGIN
  SELECT * INTO t FROM gdpr._retention_tables() r WHERE r.relid = p_relid;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  EXECUTE format('SELECT min(c.%I)::timestamptz FROM %s c WHERE %s', t.retention_column, p_relid::regclass,
                 gdpr._retention_pending_sql(p_relid, t.erase))
    INTO oldest;
  RETURN oldest;
END
$$;

-- ------------------------------------------------------------ preview
CREATE FUNCTION gdpr._retention_preview()
  RETURNS TABLE (relation regclass, erase text, retention interval, retention_column name, cutoff timestamptz,
                 oldest timestamptz, rows_past_retention bigint, rows_held bigint, rows_referenced bigint,
                 rows_to_remove bigint)
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  t record;
  held jsonb[];
BEGIN
  FOR t IN SELECT * FROM gdpr._retention_tables() LOOP
    relation := t.relid::regclass;
    erase := t.erase;
    retention := t.retention;
    retention_column := t.retention_column;
    cutoff := now() - t.retention;
    held := gdpr._retention_held_keys(t.relid);
    IF gdpr._subject_pk(t.relid) IS NULL THEN
      held := '{}';  -- no primary key: rows cannot be matched to a hold (and retention skips the table)
    END IF;
    EXECUTE format(
      'SELECT min(c.%1$I)::timestamptz, count(*), count(*) FILTER (WHERE %2$s), count(*) FILTER (WHERE NOT (%2$s) AND %3$s) '
      'FROM %4$s c WHERE c.%1$I < $1 AND %5$s',
      t.retention_column,
      CASE WHEN cardinality(held) = 0 THEN 'false' ELSE gdpr._subject_key_expr(t.relid, 'c') || ' = ANY ($2)' END,
      CASE WHEN t.erase = 'anonymize' THEN 'false' ELSE gdpr._retention_referenced_sql(t.relid) END,
      t.relid::regclass, gdpr._retention_pending_sql(t.relid, t.erase))
      INTO oldest, rows_past_retention, rows_held, rows_referenced USING cutoff, held;
    rows_to_remove := CASE WHEN gdpr._subject_pk(t.relid) IS NULL THEN 0
                           ELSE rows_past_retention - rows_held - rows_referenced END;
    RETURN NEXT;
  END LOOP;
END
$$;
CREATE FUNCTION gdpr_retention_preview()
  RETURNS TABLE (relation regclass, erase text, retention interval, retention_column name, cutoff timestamptz,
                 oldest timestamptz, rows_past_retention bigint, rows_held bigint, rows_referenced bigint,
                 rows_to_remove bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  PERFORM gdpr._subject_require_dpo();
  RETURN QUERY SELECT * FROM gdpr._retention_preview();
END
$$;
COMMENT ON FUNCTION gdpr_retention_preview() IS
  'What the next retention run removes, per table: rows past retention still holding personal data, held, still referenced';

-- ------------------------------------------------------------ runs
CREATE TABLE gdpr.retention_runs (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,             -- NULL: running, or interrupted (the next run resumes)
  database        name        NOT NULL DEFAULT current_database(),
  trigger         text        NOT NULL CHECK (trigger IN ('worker', 'manual')),
  rows_deleted    bigint      NOT NULL DEFAULT 0,
  rows_anonymized bigint      NOT NULL DEFAULT 0,
  rows_held       bigint      NOT NULL DEFAULT 0,
  tables          jsonb       NOT NULL DEFAULT '{}',  -- {"public.calls": {"rows_anonymized": 12, ...}}
  duration        interval,
  error           text
);
COMMENT ON TABLE gdpr.retention_runs IS
  'One row per retention run (worker or CALL gdpr_apply_retention): when, counts per table, duration, error';
GRANT SELECT ON gdpr.retention_runs TO gdpr_dpo;

-- Only one run at a time per database (session-level lock, held across the
-- run's transactions): 'rete' in ASCII.
CREATE FUNCTION gdpr._retention_lock_key() RETURNS integer
  LANGUAGE sql IMMUTABLE AS $$ SELECT 1919251557 $$;

CREATE FUNCTION gdpr._retention_start(trigger text, dry_run boolean, batch_size integer) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  tables jsonb := '[]';
  run_id bigint;
  p record;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  IF dry_run IS NULL THEN
    RAISE EXCEPTION 'dry_run must not be NULL' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Pass dry_run => true to see what would be removed, or false to remove it.';
  END IF;
  IF batch_size IS NULL OR batch_size < 1 THEN
    RAISE EXCEPTION 'invalid retention batch size %', batch_size USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Set gdpr.retention_batch_size to a positive number of rows per transaction.';
  END IF;
  IF NOT pg_try_advisory_lock(gdpr._retention_lock_key(), 0) THEN
    RAISE EXCEPTION 'a retention run is already in progress in database %', current_database()
      USING ERRCODE = 'lock_not_available',
            HINT = 'Wait for it to finish; gdpr.retention_runs shows runs (finished_at is NULL while running).';
  END IF;
  FOR p IN SELECT * FROM gdpr._retention_preview() LOOP
    tables := tables || (jsonb_build_object(
      'relid', p.relation::oid, 'table', p.relation::text, 'erase', p.erase, 'column', p.retention_column,
      'retention', p.retention::text, 'cutoff', p.cutoff, 'past_retention', p.rows_past_retention,
      'held_keys', to_jsonb(gdpr._retention_held_keys(p.relation)),
      'rows_deleted', 0, 'rows_anonymized', 0, 'rows_held', 0, 'rows_referenced', 0, 'batches', 0,
      'seconds', 0, 'cursor', NULL,
      'done', dry_run OR gdpr._subject_pk(p.relation) IS NULL,
      'note', CASE WHEN gdpr._subject_pk(p.relation) IS NULL THEN 'skipped: the table has no primary key' END)
      || CASE WHEN dry_run THEN jsonb_build_object('rows_held', p.rows_held, 'rows_referenced', p.rows_referenced,
                                                   'rows_to_remove', p.rows_to_remove)
              ELSE '{}' END);
  END LOOP;
  IF NOT dry_run THEN
    INSERT INTO gdpr.retention_runs (started_at, trigger) VALUES (clock_timestamp(), trigger) RETURNING id INTO run_id;
  END IF;
  RETURN jsonb_build_object('run_id', run_id, 'trigger', trigger, 'dry_run', dry_run, 'batch_size', batch_size,
                            'started_at', clock_timestamp(), 'tables', tables, 'done', false);
END
$$;

-- One batch of the first unfinished table: the oldest batch_size rows past
-- its cut-off after the cursor; held and still-referenced rows are counted and
-- passed over, the others deleted or anonymised. Returns the new state.
CREATE FUNCTION gdpr._retention_step(state jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  i integer;
  t jsonb;
  rel oid;
  col name;
  pk text[];
  began timestamptz := clock_timestamp();
  order_cols text;
  pos_cols text;
  cursor_cond text := 'true';
  keys jsonb[];
  last_pos jsonb;
  n integer;
  held jsonb[];
  referenced jsonb[];
  targets jsonb[];
  done_rows bigint := 0;
  sets text;
BEGIN
  SELECT o - 1 INTO i FROM jsonb_array_elements(state -> 'tables') WITH ORDINALITY e(v, o)
   WHERE NOT (e.v ->> 'done')::boolean ORDER BY o LIMIT 1;
  IF i IS NULL THEN
    RETURN state || jsonb_build_object('done', true);
  END IF;
  t := state -> 'tables' -> i;
  rel := (t ->> 'relid')::oid;
  col := t ->> 'column';
  pk := gdpr._subject_pk(rel);
  IF to_regclass(t ->> 'table') IS DISTINCT FROM rel::regclass OR pk IS NULL THEN
    t := t || jsonb_build_object('done', true, 'note', 'skipped: the table was dropped or lost its primary key');
    RETURN jsonb_set(state, ARRAY['tables', i::text], t);
  END IF;

  -- Keyset order (retention column, primary key); the cursor is the last
  -- position as text, cast back to each column's type.
  SELECT string_agg('c.' || quote_ident(x), ', ' ORDER BY o), string_agg('c.' || quote_ident(x) || '::text', ', ' ORDER BY o)
    INTO order_cols, pos_cols
    FROM unnest(ARRAY[col::text] || pk) WITH ORDINALITY u(x, o);
  IF t -> 'cursor' IS NOT NULL AND jsonb_typeof(t -> 'cursor') = 'array' THEN
    SELECT format('(%s) > (%s)', order_cols,
                  string_agg(format('($3[%s])::%s', o, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY o))
      INTO cursor_cond
      FROM unnest(ARRAY[col::text] || pk) WITH ORDINALITY u(x, o)
      JOIN pg_attribute a ON a.attrelid = rel AND a.attname = u.x;
  END IF;
  EXECUTE format(
    'SELECT array_agg(b.k), (array_agg(b.pos ORDER BY b.r DESC))[1], count(*) FROM ('
    '  SELECT %1$s AS k, to_jsonb(ARRAY[%2$s]) AS pos, ROW(%3$s) AS r'
    '    FROM %4$s c WHERE c.%5$I < $1 AND %6$s AND %7$s ORDER BY %3$s LIMIT $2) b',
    gdpr._subject_key_expr(rel, 'c'), pos_cols, order_cols, rel::regclass, col, cursor_cond,
    gdpr._retention_pending_sql(rel, t ->> 'erase'))
    INTO keys, last_pos, n
    USING (t ->> 'cutoff')::timestamptz, (state ->> 'batch_size')::integer,
          CASE WHEN jsonb_typeof(t -> 'cursor') = 'array'
               THEN ARRAY(SELECT jsonb_array_elements_text(t -> 'cursor')) END;
  keys := coalesce(keys, '{}');

  held := ARRAY(SELECT k FROM unnest(keys) k
                 WHERE k IN (SELECT h FROM jsonb_array_elements(t -> 'held_keys') h));
  targets := ARRAY(SELECT k FROM unnest(keys) k WHERE NOT k = ANY (held));
  referenced := '{}';
  IF t ->> 'erase' <> 'anonymize' AND cardinality(targets) > 0 THEN
    EXECUTE format('SELECT coalesce(array_agg(%s), ''{}'') FROM %s c WHERE %s AND (%s)',
                   gdpr._subject_key_expr(rel, 'c'), rel::regclass, gdpr._subject_key_in(rel, 'c', '$1'),
                   gdpr._retention_referenced_sql(rel))
      INTO referenced USING targets;
    targets := ARRAY(SELECT k FROM unnest(targets) k WHERE NOT k = ANY (referenced));
  END IF;

  IF cardinality(targets) > 0 THEN
    IF t ->> 'erase' = 'anonymize' THEN
      SELECT string_agg(format('%I = %s', s.column_name, s.erase_value), ', ' ORDER BY s.column_name) INTO sets
        FROM gdpr._retention_anonymize_sets(rel) s;
      EXECUTE format('UPDATE %s c SET %s WHERE %s', rel::regclass, sets, gdpr._subject_key_in(rel, 'c', '$1'))
        USING targets;
    ELSE
      EXECUTE format('DELETE FROM %s c WHERE %s', rel::regclass, gdpr._subject_key_in(rel, 'c', '$1'))
        USING targets;
    END IF;
    GET DIAGNOSTICS done_rows = ROW_COUNT;
  END IF;

  t := t || jsonb_build_object(
    CASE WHEN t ->> 'erase' = 'anonymize' THEN 'rows_anonymized' ELSE 'rows_deleted' END,
    (t ->> CASE WHEN t ->> 'erase' = 'anonymize' THEN 'rows_anonymized' ELSE 'rows_deleted' END)::bigint + done_rows,
    'rows_held', (t ->> 'rows_held')::bigint + cardinality(held),
    'rows_referenced', (t ->> 'rows_referenced')::bigint + cardinality(referenced),
    'batches', (t ->> 'batches')::integer + 1,
    'seconds', round(((t ->> 'seconds')::numeric + extract(epoch FROM clock_timestamp() - began)), 3),
    'cursor', coalesce(last_pos, t -> 'cursor'),
    'done', n < (state ->> 'batch_size')::integer);
  RETURN jsonb_set(state, ARRAY['tables', i::text], t);
END
$$;

-- Ends a run: records it (unless a dry run), releases the run lock, and
-- returns the report.
CREATE FUNCTION gdpr._retention_finish(state jsonb, error text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  per_table jsonb;
  report jsonb;
  finished timestamptz := clock_timestamp();
BEGIN
  SELECT coalesce(jsonb_object_agg(v ->> 'table',
           jsonb_strip_nulls(jsonb_build_object(
             'erase', v ->> 'erase', 'retention', v ->> 'retention', 'retention_column', v ->> 'column',
             'cutoff', v -> 'cutoff', 'rows_past_retention', v -> 'past_retention',
             'rows_deleted', v -> 'rows_deleted', 'rows_anonymized', v -> 'rows_anonymized',
             'rows_held', v -> 'rows_held', 'rows_referenced', v -> 'rows_referenced',
             'rows_to_remove', v -> 'rows_to_remove', 'batches', v -> 'batches', 'seconds', v -> 'seconds',
             'note', v -> 'note'))), '{}')
    INTO per_table FROM jsonb_array_elements(state -> 'tables') v;
  report := jsonb_build_object(
    'run_id', state -> 'run_id', 'dry_run', state -> 'dry_run', 'database', current_database(),
    'started_at', state -> 'started_at', 'finished_at', finished,
    'seconds', round(extract(epoch FROM finished - (state ->> 'started_at')::timestamptz), 3),
    'rows_deleted', (SELECT coalesce(sum((v ->> 'rows_deleted')::bigint), 0) FROM jsonb_array_elements(state -> 'tables') v),
    'rows_anonymized', (SELECT coalesce(sum((v ->> 'rows_anonymized')::bigint), 0) FROM jsonb_array_elements(state -> 'tables') v),
    'rows_held', (SELECT coalesce(sum((v ->> 'rows_held')::bigint), 0) FROM jsonb_array_elements(state -> 'tables') v),
    'tables', per_table, 'error', error);
  IF state ->> 'run_id' IS NOT NULL THEN
    UPDATE gdpr.retention_runs SET finished_at = finished, duration = finished - started_at,
           rows_deleted = (report ->> 'rows_deleted')::bigint, rows_anonymized = (report ->> 'rows_anonymized')::bigint,
           rows_held = (report ->> 'rows_held')::bigint, tables = per_table, error = _retention_finish.error
     WHERE id = (state ->> 'run_id')::bigint;
  END IF;
  PERFORM pg_advisory_unlock(gdpr._retention_lock_key(), 0);
  RETURN jsonb_strip_nulls(report);
END
$$;

-- The one log line of a run.
CREATE FUNCTION gdpr._retention_summary(report jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$
    SELECT format('gdpr retention run %s in database "%s": %s rows deleted, %s anonymised, %s held, in %s s%s%s',
                  coalesce(report ->> 'run_id', '(dry run)'), report ->> 'database', report ->> 'rows_deleted',
                  report ->> 'rows_anonymized', report ->> 'rows_held', report ->> 'seconds',
                  (SELECT coalesce(' (' || string_agg(format('%s: %s', k,
                            coalesce(v ->> 'rows_deleted', '0')::bigint + coalesce(v ->> 'rows_anonymized', '0')::bigint),
                            ', ' ORDER BY k) || ')', '')
                     FROM jsonb_each(report -> 'tables') e(k, v)),
                  CASE WHEN report ? 'error' THEN '; ERROR: ' || (report ->> 'error') ELSE '' END)
  $$;

-- ------------------------------------------------------------ the entry point
-- A procedure, so that it can commit between batches: CALL it outside an
-- explicit transaction block. The report is its INOUT parameter.
-- No SET clause (search_path): a procedure with one cannot commit; every name
-- below is schema-qualified or in pg_catalog, which is always searched first.
CREATE PROCEDURE gdpr_apply_retention(dry_run boolean DEFAULT false, INOUT report jsonb DEFAULT NULL)
  LANGUAGE plpgsql
  AS $$
DECLARE
  state jsonb;
  failure text;
  failure_state text;
BEGIN
  state := gdpr._retention_start('manual', dry_run, pg_catalog.current_setting('gdpr.retention_batch_size')::integer);
  COMMIT;
  LOOP
    BEGIN
      state := gdpr._retention_step(state);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
    END;
    COMMIT;
    EXIT WHEN failure IS NOT NULL OR (state ->> 'done')::boolean;
  END LOOP;
  report := gdpr._retention_finish(state, failure);
  COMMIT;
  IF failure IS NOT NULL THEN
    RAISE EXCEPTION 'retention run % stopped: %', state ->> 'run_id', failure USING ERRCODE = failure_state,
      DETAIL = 'Batches committed before the failure stay done; gdpr.retention_runs records the run.',
      HINT = 'Fix the cause and run it again: the next run resumes with the rows still past retention.';
  END IF;
END
$$;
COMMENT ON PROCEDURE gdpr_apply_retention(boolean, jsonb) IS
  'Applies retention now, in batches of gdpr.retention_batch_size rows per transaction; returns a jsonb report';

-- ------------------------------------------------------------ status
-- Per table with a retention rule: the age of its oldest row still holding
-- personal data, and whether a run is due. A view of its own rather than new
-- columns of gdpr.inventory (one row per tagged column): extending the
-- inventory would change its documented column set and the catalog's tests;
-- joining it in is one line (docs/dba/retention.md).
CREATE VIEW gdpr.retention_status AS
SELECT r.relid::regclass AS relation, r.erase, r.retention, r.retention_column, o.oldest,
       now() - o.oldest AS oldest_row_age, coalesce(now() - o.oldest > r.retention, false) AS retention_overdue
  FROM gdpr._retention_tables() r
 CROSS JOIN LATERAL (SELECT gdpr._retention_oldest(r.relid) AS oldest) o;
COMMENT ON VIEW gdpr.retention_status IS
  'Tables with a retention rule: age of the oldest row still holding personal data, and whether retention is overdue';
GRANT SELECT ON gdpr.retention_status TO gdpr_dpo;

REVOKE ALL ON FUNCTION gdpr._legal_hold_reason_for_hashes(text[]), gdpr._retention_tables(),
  gdpr._retention_anonymize_sets(oid), gdpr._retention_pending_sql(oid, text), gdpr._retention_held_keys(oid),
  gdpr._retention_referenced_sql(oid), gdpr._retention_oldest(oid), gdpr._retention_preview(), gdpr._retention_start(text, boolean, integer),
  gdpr._retention_step(jsonb), gdpr._retention_finish(jsonb, text), gdpr.legal_hold_reason(text), gdpr_hold(text, text), gdpr_release(text),
  gdpr_retention_preview()
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gdpr._retention_start(text, boolean, integer), gdpr._retention_step(jsonb),
  gdpr._retention_finish(jsonb, text), gdpr.legal_hold_reason(text), gdpr_hold(text, text), gdpr_release(text),
  gdpr_retention_preview(), gdpr._retention_oldest(oid), gdpr._retention_tables()
  TO gdpr_dpo;
REVOKE ALL ON PROCEDURE gdpr_apply_retention(boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE gdpr_apply_retention(boolean, jsonb) TO gdpr_dpo;
