-- Data-subject requests: gdpr_find, gdpr_export, gdpr_erase, gdpr_replay_erasures
-- (docs/compliance/subject-requests.md explains the design in full).
--
-- The subject index holds, for every tagged row, the keyed hashes of the
-- identifiers in its `subject` columns and of the identifiers found inside its
-- `free_text` columns, so a request costs index look-ups, never a scan. It
-- also holds the keyed hashes of the names in columns tagged `name`: the
-- directory of known names that the `redact` mask replaces with [name]
-- (extension/masking/known_names.cpp); requests never match those.
-- Identifiers are normalised and hashed only in C++ (extension/subject/):
-- HMAC-SHA-256(keys::derive('identifier'), kind || ':' || normalised value).

-- ---------------------------------------------------------------- C helpers
CREATE FUNCTION gdpr._subject_request(identifier text, OUT kind text, OUT id_hash text)
  AS 'MODULE_PATHNAME', 'gdpr_subject_request' LANGUAGE C CALLED ON NULL INPUT VOLATILE;
CREATE FUNCTION gdpr._subject_value_hash(category text, value text) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_subject_value_hash' LANGUAGE C STABLE;
CREATE FUNCTION gdpr._subject_text_hashes(value text) RETURNS text[]
  AS 'MODULE_PATHNAME', 'gdpr_subject_text_hashes' LANGUAGE C STABLE;
CREATE FUNCTION gdpr._subject_redact(value text, hashes text[]) RETURNS text
  AS 'MODULE_PATHNAME', 'gdpr_subject_redact' LANGUAGE C STABLE;
CREATE FUNCTION gdpr._subject_name_hashes(value text) RETURNS text[]
  AS 'MODULE_PATHNAME', 'gdpr_subject_name_hashes' LANGUAGE C STABLE;
-- Tells every backend's cache of known names that the set changed (at commit).
CREATE FUNCTION gdpr._subject_names_changed() RETURNS void
  AS 'MODULE_PATHNAME', 'gdpr_subject_names_changed' LANGUAGE C VOLATILE;
CREATE FUNCTION gdpr._subject_require_dpo() RETURNS void
  AS 'MODULE_PATHNAME', 'gdpr_subject_require_dpo' LANGUAGE C STABLE;
CREATE FUNCTION gdpr._subject_tags(OUT relid oid, OUT attnum int2, OUT column_name text, OUT category text,
                                   OUT subject boolean, OUT purpose text, OUT basis text, OUT erase text)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'gdpr_subject_tags' LANGUAGE C STABLE;

-- Advisory locks between inserts of a person's data (the index trigger holds
-- a shared lock) and her erasure (exclusive), see gdpr._subject_erase. One
-- lock per identifier would exhaust the lock table on bulk loads, so
-- identifiers share 256 lock buckets: (1734635634 = 'gdpr' in ASCII, bucket).
-- A bulk load holds at most 256 locks; an erasure may wait for an unrelated
-- writer in its bucket, never miss a related one.
CREATE FUNCTION gdpr._subject_lock_bucket(id_hash text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ('x' || substr(id_hash, 1, 2))::bit(8)::integer $$;

-- ---------------------------------------------------------------- the index
CREATE TABLE gdpr.subject_index (
  id_hash text     NOT NULL,  -- keyed hash of kind:normalised value; never the identifier
  relid   oid      NOT NULL,
  row_key jsonb    NOT NULL,  -- the row's primary key, {"id": 42}
  attnum  smallint NOT NULL,
  source  text     NOT NULL CHECK (source IN ('subject', 'free_text', 'name'))
);
CREATE INDEX subject_index_hash_idx ON gdpr.subject_index (id_hash);
CREATE INDEX subject_index_row_idx ON gdpr.subject_index (relid, row_key);
-- The known names, read by every backend that redacts (after each change).
-- Its relcache invalidation is the "names changed" signal (identifier_hash.hpp).
CREATE INDEX subject_index_names_idx ON gdpr.subject_index (id_hash) WHERE source = 'name';

-- Every distinct name hash: the directory the `redact` mask loads. Called by
-- C through fmgr only (revoked from PUBLIC below).
CREATE FUNCTION gdpr._subject_known_name_hashes() RETURNS text[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT coalesce(array_agg(d.id_hash), '{}')
      FROM (SELECT DISTINCT i.id_hash FROM gdpr.subject_index i WHERE i.source = 'name') d
  $$;
COMMENT ON TABLE gdpr.subject_index IS
  'Keyed hashes of the identifiers in tagged subject and free_text columns, per row (kept by the gdpr_subject_index_* triggers)';

-- Primary-key columns of a relation, in key order; NULL without a primary key.
CREATE FUNCTION gdpr._subject_pk(p_relid oid) RETURNS text[]
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT array_agg(a.attname::text ORDER BY k.ord)
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = p_relid AND i.indisprimary
  $$;

-- SQL text: the row key of alias `a` as jsonb, e.g. jsonb_build_object('id', a.id).
CREATE FUNCTION gdpr._subject_key_expr(p_relid oid, a text) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT 'jsonb_build_object(' || string_agg(quote_literal(c) || ', ' || a || '.' || quote_ident(c), ', ') || ')'
    FROM unnest(gdpr._subject_pk(p_relid)) AS c
  $$;

-- SQL text: "alias `a` is one of the rows whose keys are in jsonb[] parameter
-- `param`", written so the planner uses the primary-key index.
CREATE FUNCTION gdpr._subject_key_in(p_relid oid, a text, param text) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT '(' || string_agg(a || '.' || quote_ident(c), ', ') || ') IN (SELECT '
           || string_agg('r.' || quote_ident(c), ', ') || ' FROM unnest(' || param
           || ') AS k, jsonb_populate_record(NULL::' || p_relid::regclass::text || ', k) AS r)'
    FROM unnest(gdpr._subject_pk(p_relid)) AS c
  $$;

-- What the index trigger of a relation must know, as the trigger's argument:
-- {"pk": [...], "subject": [[column, attnum, category], ...], "free_text": [[column, attnum], ...],
--  "name": [[column, attnum], ...]}.
-- NULL when the relation has nothing to index (or no primary key: a warning).
CREATE FUNCTION gdpr._subject_index_spec(p_relid oid) RETURNS jsonb
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v_subject jsonb;
  v_free jsonb;
  v_name jsonb;
  v_pk text[] := gdpr._subject_pk(p_relid);
BEGIN
  SELECT jsonb_agg(jsonb_build_array(t.column_name, t.attnum, t.category) ORDER BY t.attnum)
         FILTER (WHERE t.subject),
         jsonb_agg(jsonb_build_array(t.column_name, t.attnum) ORDER BY t.attnum)
         FILTER (WHERE t.category = 'free_text'),
         jsonb_agg(jsonb_build_array(t.column_name, t.attnum) ORDER BY t.attnum)
         FILTER (WHERE t.category = 'name')
    INTO v_subject, v_free, v_name
    FROM gdpr._subject_tags() t
   WHERE t.relid = p_relid;
  IF v_subject IS NULL AND v_free IS NULL AND v_name IS NULL THEN
    RETURN NULL;
  END IF;
  IF v_pk IS NULL THEN
    RAISE WARNING 'gdpr: % has no primary key; its personal data cannot be found by data-subject requests',
      p_relid::regclass
      USING HINT = 'Add a primary key; subject requests identify rows by it.';
    RETURN NULL;
  END IF;
  RETURN jsonb_build_object('pk', to_jsonb(v_pk), 'subject', coalesce(v_subject, '[]'),
                            'free_text', coalesce(v_free, '[]'), 'name', coalesce(v_name, '[]'));
END
$$;

-- SQL text: the index entries (id_hash, relid, row_key, attnum, source) of
-- the rows of `source_rel` (the table itself, or a trigger's transition table),
-- as one set-based SELECT. `key` is the row-key expression over alias t.
-- Values are read as to_jsonb(column) text, exactly as the triggers read them
-- from to_jsonb(row), so both hash a non-text column (a date) the same way.
CREATE FUNCTION gdpr._subject_entries_sql(p_relid oid, spec jsonb, key text, source_rel text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$
    SELECT string_agg(q, ' UNION ALL ')
      FROM (SELECT format('SELECT h, %s::oid, %s, %s::smallint, ''subject'' FROM %s t, '
                          'gdpr._subject_value_hash(%L, to_jsonb(t.%I) #>> ''{}'') AS h WHERE h IS NOT NULL',
                          p_relid, key, c ->> 1, source_rel, c ->> 2, c ->> 0) AS q
              FROM jsonb_array_elements(spec -> 'subject') c
            UNION ALL
            SELECT format('SELECT h, %s::oid, %s, %s::smallint, ''free_text'' FROM %s t, '
                          'unnest(gdpr._subject_text_hashes(to_jsonb(t.%I) #>> ''{}'')) AS h',
                          p_relid, key, c ->> 1, source_rel, c ->> 0)
              FROM jsonb_array_elements(spec -> 'free_text') c
            UNION ALL
            SELECT format('SELECT h, %s::oid, %s, %s::smallint, ''name'' FROM %s t, '
                          'unnest(gdpr._subject_name_hashes(to_jsonb(t.%I) #>> ''{}'')) AS h',
                          p_relid, key, c ->> 1, source_rel, c ->> 0)
              FROM jsonb_array_elements(coalesce(spec -> 'name', '[]')) c) parts
  $$;

-- SQL text: the row key of alias t from the spec's primary-key columns.
CREATE FUNCTION gdpr._subject_spec_key(spec jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$
    SELECT 'jsonb_build_object(' || string_agg(quote_literal(c) || ', t.' || quote_ident(c), ', ') || ')'
      FROM jsonb_array_elements_text(spec -> 'pk') c
  $$;

-- The statement triggers on every indexed relation (one per event, since
-- transition tables allow only one): set-based, so bulk writes pay per
-- statement, not per row. The SQL is static: PL/pgSQL compiles a trigger
-- function once per trigger, so each table's statements are planned once per
-- session. SECURITY DEFINER: whoever writes the table may not read or write
-- the index itself. Each inserted identifier's lock bucket is held shared
-- until commit (see gdpr._subject_erase). When the statement changed which
-- names the rows hold, every backend's cache of known names is told.
CREATE FUNCTION gdpr._subject_index_rows() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  spec jsonb := TG_ARGV[0]::jsonb;
  buckets bigint;
  names_removed text[] := '{}';
  names_added text[] := '{}';
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    WITH del AS (
      DELETE FROM gdpr.subject_index
       WHERE relid = TG_RELID
         AND row_key IN (SELECT (SELECT jsonb_object_agg(k, o.r -> k) FROM jsonb_array_elements_text(spec -> 'pk') k)
                           FROM (SELECT to_jsonb(t) AS r FROM old_rows t) o)
      RETURNING id_hash, source)
    SELECT coalesce(array_agg(DISTINCT id_hash) FILTER (WHERE source = 'name'), '{}') INTO names_removed FROM del;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    WITH ins AS (
      INSERT INTO gdpr.subject_index
      SELECT e.h, TG_RELID, n.key, e.attnum, e.source
        FROM (SELECT r, (SELECT jsonb_object_agg(k, r -> k) FROM jsonb_array_elements_text(spec -> 'pk') k) AS key
                FROM (SELECT to_jsonb(t) AS r FROM new_rows t) x) n
        CROSS JOIN LATERAL (
          SELECT gdpr._subject_value_hash(c ->> 2, n.r ->> (c ->> 0)), (c ->> 1)::smallint, 'subject'
            FROM jsonb_array_elements(spec -> 'subject') c
          UNION ALL
          SELECT unnest(gdpr._subject_text_hashes(n.r ->> (c ->> 0))), (c ->> 1)::smallint, 'free_text'
            FROM jsonb_array_elements(spec -> 'free_text') c
          UNION ALL
          SELECT unnest(gdpr._subject_name_hashes(n.r ->> (c ->> 0))), (c ->> 1)::smallint, 'name'
            FROM jsonb_array_elements(coalesce(spec -> 'name', '[]')) c) AS e(h, attnum, source)
       WHERE e.h IS NOT NULL
      RETURNING id_hash, source),
    locked AS (
      -- Names are not identifiers a request erases: no lock for them.
      SELECT count(*) AS n
        FROM (SELECT pg_advisory_xact_lock_shared(1734635634, b)
                FROM (SELECT DISTINCT gdpr._subject_lock_bucket(id_hash) AS b FROM ins WHERE source <> 'name') d
               ORDER BY b) l)
    SELECT (SELECT n FROM locked),
           coalesce((SELECT array_agg(DISTINCT id_hash) FROM ins WHERE source = 'name'), '{}')
      INTO buckets, names_added;
  END IF;
  -- An UPDATE that leaves the names as they were (a new phone number) does
  -- not make every backend reload them.
  IF names_added IS DISTINCT FROM names_removed THEN
    PERFORM gdpr._subject_names_changed();
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION gdpr._subject_index_truncate() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  had_names boolean;
BEGIN
  WITH del AS (DELETE FROM gdpr.subject_index WHERE relid = TG_RELID RETURNING source)
  SELECT EXISTS (SELECT 1 FROM del WHERE source = 'name') INTO had_names;
  IF had_names THEN
    PERFORM gdpr._subject_names_changed();
  END IF;
  RETURN NULL;
END
$$;

-- Fills the index for one relation from its current rows (set-based).
CREATE FUNCTION gdpr._subject_index_backfill(p_relid oid, spec jsonb) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  entries text := gdpr._subject_entries_sql(p_relid, spec, gdpr._subject_spec_key(spec), p_relid::regclass::text);
BEGIN
  IF entries IS NOT NULL THEN
    EXECUTE 'INSERT INTO gdpr.subject_index ' || entries;
  END IF;
END
$$;

-- Makes the index triggers and entries of one relation (or of all) match the
-- catalog. Without p_force only relations whose index spec changed are
-- touched, and of those only the columns that changed are re-indexed (a new
-- primary key re-indexes the relation), so the DDL event trigger stays cheap.
CREATE FUNCTION gdpr._subject_index_sync(p_relid oid, p_force boolean) RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  rel oid;
  wanted jsonb;
  installed jsonb;
  added jsonb;
  trigger_name name;
  rebuilt integer := 0;
BEGIN
  FOR rel IN
    SELECT DISTINCT x.relid FROM (
      SELECT t.relid FROM gdpr._subject_tags() t
      UNION ALL
      SELECT tg.tgrelid FROM pg_trigger tg WHERE tg.tgfoid = 'gdpr._subject_index_rows()'::regprocedure
    ) x
    WHERE p_relid IS NULL OR x.relid = p_relid
    ORDER BY 1
  LOOP
    wanted := gdpr._subject_index_spec(rel);
    SELECT convert_from(substring(tg.tgargs FROM 1 FOR length(tg.tgargs) - 1), 'UTF8')::jsonb
      INTO installed
      -- Internal triggers are named <name>_<oid> by PostgreSQL.
      FROM pg_trigger tg WHERE tg.tgrelid = rel AND tg.tgfoid = 'gdpr._subject_index_rows()'::regprocedure
                           AND tg.tgname LIKE 'gdpr\_subject\_index\_insert%'
      LIMIT 1;
    CONTINUE WHEN NOT p_force AND wanted IS NOT DISTINCT FROM installed;
    FOR trigger_name IN SELECT tg.tgname FROM pg_trigger tg
                         WHERE tg.tgrelid = rel
                           AND tg.tgfoid IN ('gdpr._subject_index_rows()'::regprocedure,
                                             'gdpr._subject_index_truncate()'::regprocedure) LOOP
      EXECUTE format('DROP TRIGGER %I ON %s', trigger_name, rel::regclass);
    END LOOP;
    IF wanted IS NOT NULL AND installed IS NOT NULL AND wanted -> 'pk' = installed -> 'pk' AND NOT p_force THEN
      -- Same rows, other columns: only the columns that changed are redone
      -- (tagging a table column by column must not rescan it every time).
      DELETE FROM gdpr.subject_index i
       WHERE i.relid = rel
         AND (i.attnum, i.source) IN (
               SELECT (c ->> 1)::smallint, 'subject' FROM jsonb_array_elements(installed -> 'subject') c
                WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(wanted -> 'subject') w
                                   WHERE w -> 1 = c -> 1 AND w -> 2 = c -> 2)
               UNION ALL
               SELECT (c ->> 1)::smallint, 'free_text' FROM jsonb_array_elements(installed -> 'free_text') c
                WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(wanted -> 'free_text') w WHERE w -> 1 = c -> 1)
               UNION ALL
               SELECT (c ->> 1)::smallint, 'name' FROM jsonb_array_elements(coalesce(installed -> 'name', '[]')) c
                WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(wanted -> 'name', '[]')) w
                                   WHERE w -> 1 = c -> 1));
      added := jsonb_build_object(
        'pk', wanted -> 'pk',
        'subject', (SELECT coalesce(jsonb_agg(c), '[]') FROM jsonb_array_elements(wanted -> 'subject') c
                     WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(installed -> 'subject') w
                                        WHERE w -> 1 = c -> 1 AND w -> 2 = c -> 2)),
        'free_text', (SELECT coalesce(jsonb_agg(c), '[]') FROM jsonb_array_elements(wanted -> 'free_text') c
                       WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(installed -> 'free_text') w
                                          WHERE w -> 1 = c -> 1)),
        'name', (SELECT coalesce(jsonb_agg(c), '[]') FROM jsonb_array_elements(coalesce(wanted -> 'name', '[]')) c
                  WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(installed -> 'name', '[]')) w
                                     WHERE w -> 1 = c -> 1)));
    ELSE
      DELETE FROM gdpr.subject_index WHERE relid = rel;
      added := wanted;
    END IF;
    IF wanted IS NOT NULL THEN
      -- Internal triggers (index_triggers.cpp): pg_dump leaves them out.
      PERFORM gdpr._subject_index_create_triggers(rel, wanted::text);
      PERFORM gdpr._subject_index_backfill(rel, added);
    END IF;
    rebuilt := rebuilt + 1;
  END LOOP;
  IF rebuilt > 0 THEN
    PERFORM gdpr._subject_names_changed();  -- name columns may have come or gone
  END IF;
  RETURN rebuilt;
END
$$;

CREATE FUNCTION gdpr._subject_index_create_triggers(relation regclass, spec text) RETURNS void
  AS 'MODULE_PATHNAME', 'gdpr_subject_index_create_triggers' LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION gdpr._subject_index_create_triggers(regclass, text) FROM PUBLIC;

-- Rebuilds the subject index of one relation, or of every tagged relation
-- (after a restore, or to repair). Returns the number of relations rebuilt.
CREATE FUNCTION gdpr.subject_index_rebuild(relation regclass DEFAULT NULL) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  PERFORM gdpr._subject_require_dpo();
  RETURN gdpr._subject_index_sync(relation, true);
END
$$;

-- Tags change with SECURITY LABEL (and follow ALTER TABLE): keep the triggers current.
CREATE FUNCTION gdpr._subject_on_ddl() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  PERFORM gdpr._subject_index_sync(NULL, false);
END
$$;
CREATE EVENT TRIGGER gdpr_subject_index_sync ON ddl_command_end
  WHEN TAG IN ('SECURITY LABEL', 'ALTER TABLE', 'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
  EXECUTE FUNCTION gdpr._subject_on_ddl();

CREATE FUNCTION gdpr._subject_on_drop() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  had_names boolean;
BEGIN
  WITH del AS (DELETE FROM gdpr.subject_index s
                USING pg_event_trigger_dropped_objects() d
                WHERE d.object_type = 'table' AND s.relid = d.objid
               RETURNING s.source)
  SELECT EXISTS (SELECT 1 FROM del WHERE source = 'name') INTO had_names;
  IF had_names THEN
    PERFORM gdpr._subject_names_changed();
  END IF;
END
$$;
CREATE EVENT TRIGGER gdpr_subject_index_drop ON sql_drop
  WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
  EXECUTE FUNCTION gdpr._subject_on_drop();

-- DROP EXTENSION gdpr removes the index triggers first (they depend on the
-- extension's functions but cannot be its members); see drop_extension.cpp.
CREATE FUNCTION gdpr._subject_index_uninstall() RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  tg record;
  dropped integer := 0;
BEGIN
  FOR tg IN SELECT t.tgrelid::regclass AS rel, t.tgname FROM pg_trigger t
             WHERE t.tgfoid IN ('gdpr._subject_index_rows()'::regprocedure, 'gdpr._subject_index_truncate()'::regprocedure)
             ORDER BY 1, 2 LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', tg.tgname, tg.rel);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END
$$;
CREATE FUNCTION gdpr._subject_before_drop_extension() RETURNS event_trigger
  AS 'MODULE_PATHNAME', 'gdpr_subject_before_drop_extension' LANGUAGE C;
CREATE EVENT TRIGGER gdpr_subject_before_drop ON ddl_command_start
  WHEN TAG IN ('DROP EXTENSION')
  EXECUTE FUNCTION gdpr._subject_before_drop_extension();

-- ------------------------------------------------------------ the matching
CREATE TYPE gdpr.subject_match AS (relid oid, row_key jsonb, attnums smallint[], matched_by text);

-- The identifier closure of a person: the seed hashes plus the identifiers in
-- the subject columns of her rows, to a fixed point (depth <= 5). Only rows of
-- single-party tables are followed: a table whose subject columns are all of
-- different categories describes one person (contacts: email, phone); a table
-- with two subject columns of one category describes two parties (calls:
-- caller, callee), and following it would pull in the other party.
CREATE FUNCTION gdpr._subject_closure(seed text[]) RETURNS text[]
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  all_hashes text[] := seed;
  frontier text[] := seed;
  found_hashes text[];
  single_party oid[];
BEGIN
  SELECT array_agg(s.relid) INTO single_party FROM (
    SELECT t.relid FROM gdpr._subject_tags() t WHERE t.subject
     GROUP BY t.relid HAVING count(*) = count(DISTINCT t.category)) s;
  FOR depth IN 1..5 LOOP
    SELECT array_agg(DISTINCT o.id_hash) INTO found_hashes
      FROM gdpr.subject_index m
      JOIN gdpr.subject_index o ON o.relid = m.relid AND o.row_key = m.row_key AND o.source = 'subject'
     WHERE m.id_hash = ANY (frontier) AND m.source = 'subject' AND m.relid = ANY (single_party)
       AND NOT o.id_hash = ANY (all_hashes);
    EXIT WHEN found_hashes IS NULL;
    all_hashes := all_hashes || found_hashes;
    frontier := found_hashes;
  END LOOP;
  RETURN all_hashes;
END
$$;

-- Every row that holds one of the identifiers: 'subject column' (hers),
-- 'free text' (mentions her) and, following foreign keys from her rows to the
-- rows that depend on them (depth <= 5, each row once), 'linked'.
CREATE FUNCTION gdpr._subject_rows(hashes text[]) RETURNS SETOF gdpr.subject_match
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  found gdpr.subject_match[];
  frontier gdpr.subject_match[];
  added gdpr.subject_match[];
  parent record;
  fk record;
  child_keys jsonb[];
BEGIN
  SELECT array_agg(ROW(s.relid, s.row_key, s.attnums,
                       CASE WHEN s.hers THEN 'subject column' ELSE 'free text' END)::gdpr.subject_match)
    INTO found
    FROM (SELECT i.relid, i.row_key, array_agg(DISTINCT i.attnum ORDER BY i.attnum) AS attnums,
                 bool_or(i.source = 'subject') AS hers
            FROM gdpr.subject_index i WHERE i.id_hash = ANY (hashes)
           GROUP BY i.relid, i.row_key) s;
  found := coalesce(found, '{}');
  frontier := ARRAY(SELECT f FROM unnest(found) f WHERE f.matched_by = 'subject column');

  FOR depth IN 1..5 LOOP
    added := '{}';
    FOR parent IN SELECT f.relid, array_agg(f.row_key) AS keys FROM unnest(frontier) f GROUP BY f.relid LOOP
      FOR fk IN
        SELECT c.conrelid AS child, c.conkey, c.confkey FROM pg_constraint c
         WHERE c.contype = 'f' AND c.confrelid = parent.relid AND gdpr._subject_pk(c.conrelid) IS NOT NULL
         ORDER BY c.conrelid, c.oid
      LOOP
        EXECUTE format('SELECT array_agg(%s) FROM %s c WHERE (%s) IN (SELECT %s FROM %s p WHERE %s)',
                       gdpr._subject_key_expr(fk.child, 'c'), fk.child::regclass,
                       (SELECT string_agg('c.' || quote_ident(attname), ', ' ORDER BY ord)
                          FROM unnest(fk.conkey) WITH ORDINALITY k(n, ord)
                          JOIN pg_attribute ON attrelid = fk.child AND attnum = k.n),
                       (SELECT string_agg('p.' || quote_ident(attname), ', ' ORDER BY ord)
                          FROM unnest(fk.confkey) WITH ORDINALITY k(n, ord)
                          JOIN pg_attribute ON attrelid = parent.relid AND attnum = k.n),
                       parent.relid::regclass, gdpr._subject_key_in(parent.relid, 'p', '$1'))
          INTO child_keys USING parent.keys;
        -- New rows, and rows so far only known to mention her: they depend on her rows.
        added := added || ARRAY(
          SELECT ROW(fk.child, k, coalesce(f.attnums, '{}'), 'linked')::gdpr.subject_match
            FROM unnest(child_keys) k
            LEFT JOIN unnest(found) f ON f.relid = fk.child AND f.row_key = k
           WHERE f.relid IS NULL OR f.matched_by = 'free text');
        found := ARRAY(SELECT f FROM unnest(found) f
                        WHERE NOT (f.relid = fk.child AND f.row_key = ANY (child_keys) AND f.matched_by = 'free text'))
                 || ARRAY(SELECT DISTINCT ON (a.relid, a.row_key) a FROM unnest(added) a
                           WHERE a.relid = fk.child
                             AND NOT EXISTS (SELECT 1 FROM unnest(found) f
                                              WHERE f.relid = a.relid AND f.row_key = a.row_key
                                                AND f.matched_by <> 'free text'));
      END LOOP;
    END LOOP;
    EXIT WHEN cardinality(added) = 0;
    frontier := added;
  END LOOP;
  RETURN QUERY SELECT DISTINCT ON (f.relid, f.row_key) f.* FROM unnest(found) f ORDER BY f.relid, f.row_key;
END
$$;

CREATE FUNCTION gdpr._subject_column_names(p_relid oid, attnums smallint[]) RETURNS text[]
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
      FROM pg_attribute a WHERE a.attrelid = p_relid AND a.attnum = ANY (attnums) AND NOT a.attisdropped
  $$;

-- ------------------------------------------------------------ gdpr_find
CREATE FUNCTION gdpr_find(identifier text)
  RETURNS TABLE (relation regclass, row_key jsonb, columns text[], matched_by text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  seed text;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  seed := (gdpr._subject_request(identifier)).id_hash;
  RETURN QUERY
    SELECT m.relid::regclass, m.row_key, gdpr._subject_column_names(m.relid, m.attnums), m.matched_by
      FROM gdpr._subject_rows(gdpr._subject_closure(ARRAY[seed])) m
     ORDER BY m.relid::regclass::text, m.row_key;
END
$$;
COMMENT ON FUNCTION gdpr_find(text) IS
  'Every row holding the person''s data: matched by subject column, free text, or linked by foreign key';

-- ------------------------------------------------------------ gdpr_export
CREATE FUNCTION gdpr_export(identifier text) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  req record;
  matches gdpr.subject_match[];
  rel oid;
  columns_doc jsonb;
  rows_doc jsonb;
  access_doc jsonb;
  bytea_fix text;
  key_cols text;
  key_join text;
  tables_doc jsonb := '{}';
  has_access_history boolean := to_regprocedure('gdpr.access_events_for_rows(regclass,jsonb[])') IS NOT NULL;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  req := gdpr._subject_request(identifier);
  matches := ARRAY(SELECT m FROM gdpr._subject_rows(gdpr._subject_closure(ARRAY[req.id_hash])) m);
  FOR rel IN SELECT DISTINCT m.relid FROM unnest(matches) m LOOP
    -- What each column is, and why it is kept (the catalog's tags).
    SELECT jsonb_object_agg(a.attname, jsonb_build_object(
             'type', format_type(a.atttypid, a.atttypmod), 'category', t.category,
             'purpose', t.purpose, 'basis', t.basis))
      INTO columns_doc
      FROM pg_attribute a
      LEFT JOIN gdpr._subject_tags() t ON t.relid = rel AND t.attnum = a.attnum
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
    -- bytea as base64 (to_jsonb would give PostgreSQL's hex escape).
    SELECT coalesce(string_agg(format(' || jsonb_build_object(%L, encode(c.%I, ''base64''))', a.attname, a.attname), ''), '')
      INTO bytea_fix
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'bytea'::regtype;
    -- Her rows with why they are hers: each match's key is unpacked into the
    -- primary-key columns and joined on them, so every match is one index
    -- lookup. (Joining on a computed jsonb key made the planner compare every
    -- pair: 16 s for 4,000 rows.)
    SELECT string_agg(format('r.%I AS k%s', p.c, p.o), ', '), string_agg(format('c.%I = mk.k%s', p.c, p.o), ' AND ')
      INTO key_cols, key_join
      FROM unnest(gdpr._subject_pk(rel)) WITH ORDINALITY AS p(c, o);
    EXECUTE format(
      'SELECT jsonb_agg(jsonb_build_object(''row_key'', mk.row_key, ''matched_by'', mk.matched_by, '
      '''matched_columns'', to_jsonb(gdpr._subject_column_names(mk.relid, mk.attnums)), '
      '''data'', to_jsonb(c)%s) ORDER BY mk.row_key) '
      'FROM (SELECT m.relid, m.row_key, m.matched_by, m.attnums, %s FROM unnest($1) m '
      'CROSS JOIN LATERAL jsonb_populate_record(NULL::%s, m.row_key) r WHERE m.relid = $2) mk '
      'JOIN %s c ON %s',
      bytea_fix, key_cols, rel::regclass, rel::regclass, key_join)
      INTO rows_doc USING matches, rel;
    access_doc := NULL;
    IF has_access_history THEN
      -- Seam to the row-access audit (extension/audit/): who read these rows, and when.
      EXECUTE 'SELECT jsonb_agg(to_jsonb(e) ORDER BY to_jsonb(e)) FROM gdpr.access_events_for_rows($1, $2) e'
        INTO access_doc
        USING rel::regclass, ARRAY(SELECT m.row_key FROM unnest(matches) m WHERE m.relid = rel ORDER BY m.row_key);
    END IF;
    tables_doc := tables_doc || jsonb_build_object(rel::regclass::text, jsonb_build_object(
      'columns', columns_doc, 'rows', coalesce(rows_doc, '[]'),
      'accessed_by', CASE WHEN has_access_history THEN coalesce(access_doc, '[]') END));
  END LOOP;
  RETURN jsonb_build_object('identifier_kind', req.kind, 'tables', tables_doc,
                            'access_history', CASE WHEN has_access_history THEN 'included'
                                                   ELSE 'not available: the row-access audit is not installed' END);
END
$$;
COMMENT ON FUNCTION gdpr_export(text) IS
  'The person''s data from every table as jsonb, with each column''s category, purpose and legal basis';

-- ------------------------------------------------------------ erasure
CREATE TABLE gdpr.erasures (
  request_id        uuid        PRIMARY KEY,
  at                timestamptz NOT NULL DEFAULT now(),
  actor             text        NOT NULL,
  tables            jsonb       NOT NULL,  -- {"public.calls": {"rows_deleted": 0, "rows_anonymized": 2, "values_redacted": 0}}
  identifier_hashes text[]      NOT NULL   -- keyed hashes of every identifier erased; no personal data
);
COMMENT ON TABLE gdpr.erasures IS
  'Erasure log: one row per gdpr_erase; identifiers only as keyed hashes (replayed by gdpr_replay_erasures)';
GRANT SELECT ON gdpr.erasures TO gdpr_dpo;
-- The log must outlive a restore of older data: pg_dump includes it.
SELECT pg_catalog.pg_extension_config_dump('gdpr.erasures', '');

-- The value an anonymised column gets: NULL where allowed, else a placeholder.
CREATE FUNCTION gdpr._subject_erase_value(p_relid oid, p_attnum smallint) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  a record;
BEGIN
  SELECT attname, attnotnull, atttypid, format_type(atttypid, atttypmod) AS typ INTO a
    FROM pg_attribute WHERE attrelid = p_relid AND attnum = p_attnum;
  IF NOT a.attnotnull THEN
    RETURN 'NULL';
  END IF;
  IF a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'name'::regtype) THEN
    RETURN quote_literal('[erased]') || '::' || a.typ;
  END IF;
  RAISE EXCEPTION 'cannot anonymise %.%: it is NOT NULL and of type %', p_relid::regclass, a.attname, a.typ
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'Allow NULL in the column, or label the table erase=delete.';
END
$$;

-- The erasure itself, on hashes only (gdpr_erase and gdpr_replay_erasures).
-- Returns (hashes erased, per-table counts).
CREATE FUNCTION gdpr._subject_erase(seed text[], dry_run boolean, OUT hashes text[], OUT tables jsonb)
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  locked text[] := '{}';
  matches gdpr.subject_match[];
  modes jsonb;
  t record;
  fk record;
  n bigint;
  total bigint;
  sets text;
  remaining oid[];
  ready oid[];
BEGIN
  -- Take every identifier's lock exclusively: inserts of her data hold it
  -- shared (index trigger), so they finish before we look, or wait for us.
  -- Repeat while waiting let new identifiers of hers arrive.
  LOOP
    hashes := gdpr._subject_closure(seed);
    EXIT WHEN dry_run OR hashes <@ locked;  -- a dry run changes nothing: no need to hold writers off
    PERFORM pg_advisory_xact_lock(1734635634, b)
       FROM (SELECT DISTINCT gdpr._subject_lock_bucket(h) AS b FROM unnest(hashes) h
              WHERE NOT h = ANY (locked)) buckets ORDER BY b;
    locked := locked || hashes;
  END LOOP;
  matches := ARRAY(SELECT m FROM gdpr._subject_rows(hashes) m);
  SELECT jsonb_object_agg(x.relid::text, x.erase) INTO modes
    FROM (SELECT DISTINCT tg.relid, tg.erase FROM gdpr._subject_tags() tg) x;
  modes := coalesce(modes, '{}');
  tables := '{}';

  -- 1. Rows that only mention her: replace each of her identifiers by [erased].
  FOR t IN SELECT m.relid, array_agg(m.row_key) AS keys,
                  (SELECT array_agg(DISTINCT a) FROM unnest(matches) y, unnest(y.attnums) a
                    WHERE y.relid = m.relid AND y.matched_by = 'free text') AS attnums
             FROM unnest(matches) m WHERE m.matched_by = 'free text' GROUP BY m.relid ORDER BY m.relid LOOP
    total := 0;
    FOR sets IN SELECT quote_ident(a.attname) FROM pg_attribute a
                 WHERE a.attrelid = t.relid AND a.attnum = ANY (t.attnums) ORDER BY a.attnum LOOP
      IF dry_run THEN
        EXECUTE format('SELECT count(*) FROM %s c WHERE %s AND gdpr._subject_redact(c.%s::text, $2) IS DISTINCT FROM c.%s::text',
                       t.relid::regclass, gdpr._subject_key_in(t.relid, 'c', '$1'), sets, sets)
          INTO n USING t.keys, hashes;
      ELSE
        EXECUTE format('UPDATE %s c SET %s = gdpr._subject_redact(c.%s::text, $2) WHERE %s '
                       'AND gdpr._subject_redact(c.%s::text, $2) IS DISTINCT FROM c.%s::text',
                       t.relid::regclass, sets, sets, gdpr._subject_key_in(t.relid, 'c', '$1'), sets, sets)
          USING t.keys, hashes;
        GET DIAGNOSTICS n = ROW_COUNT;
      END IF;
      total := total + n;
    END LOOP;
    tables := tables || jsonb_build_object(t.relid::regclass::text,
                jsonb_build_object('rows_deleted', 0, 'rows_anonymized', 0, 'values_redacted', total));
  END LOOP;

  -- 2. Her rows in erase=anonymize tables: tagged columns get their erase
  -- value; foreign keys to her rows that are deleted below become NULL.
  FOR t IN SELECT m.relid, array_agg(m.row_key) AS keys FROM unnest(matches) m
            WHERE m.matched_by <> 'free text' AND modes ->> m.relid::text = 'anonymize' GROUP BY m.relid LOOP
    SELECT string_agg(format('%I = %s', tg.column_name, gdpr._subject_erase_value(t.relid, tg.attnum)), ', ')
      INTO sets FROM gdpr._subject_tags() tg WHERE tg.relid = t.relid;
    FOR fk IN SELECT c.confrelid, c.conkey, c.confkey FROM pg_constraint c
               WHERE c.contype = 'f' AND c.conrelid = t.relid AND c.confrelid IN (
                 SELECT m.relid FROM unnest(matches) m
                  WHERE m.matched_by <> 'free text' AND coalesce(modes ->> m.relid::text, 'delete') = 'delete') LOOP
      sets := sets || (SELECT string_agg(format(', %1$I = CASE WHEN (%2$s) IN (SELECT %3$s FROM %4$s p WHERE %5$s) '
                                                'THEN NULL ELSE c.%1$I END', a.attname,
                                                (SELECT string_agg('c.' || quote_ident(ca.attname), ', ')
                                                   FROM unnest(fk.conkey) k2(n) JOIN pg_attribute ca
                                                     ON ca.attrelid = t.relid AND ca.attnum = k2.n),
                                                (SELECT string_agg('p.' || quote_ident(pa.attname), ', ')
                                                   FROM unnest(fk.confkey) k3(n) JOIN pg_attribute pa
                                                     ON pa.attrelid = fk.confrelid AND pa.attnum = k3.n),
                                                fk.confrelid::regclass,
                                                gdpr._subject_key_in(fk.confrelid, 'p',
                                                  format('ARRAY(SELECT x.row_key FROM unnest($2) x WHERE x.relid = %s '
                                                         'AND x.matched_by <> ''free text'')', fk.confrelid))), '')
                         FROM unnest(fk.conkey) k(n) JOIN pg_attribute a ON a.attrelid = t.relid AND a.attnum = k.n);
    END LOOP;
    IF dry_run THEN
      n := cardinality(t.keys);
    ELSE
      EXECUTE format('UPDATE %s c SET %s WHERE %s', t.relid::regclass, sets, gdpr._subject_key_in(t.relid, 'c', '$1'))
        USING t.keys, matches;
      GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    tables := tables || jsonb_build_object(t.relid::regclass::text,
                coalesce(tables -> t.relid::regclass::text, jsonb_build_object('rows_deleted', 0, 'values_redacted', 0))
                || jsonb_build_object('rows_anonymized', n));
  END LOOP;

  -- 3. Her rows in erase=delete tables (and untagged dependent tables),
  -- dependent rows first: a table goes when no other pending table refers to it.
  remaining := ARRAY(SELECT DISTINCT m.relid FROM unnest(matches) m
                      WHERE m.matched_by <> 'free text' AND coalesce(modes ->> m.relid::text, 'delete') = 'delete');
  WHILE cardinality(remaining) > 0 LOOP
    ready := ARRAY(SELECT r FROM unnest(remaining) r
                    WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c
                                       WHERE c.contype = 'f' AND c.confrelid = r AND c.conrelid <> r
                                         AND c.conrelid = ANY (remaining)));
    IF cardinality(ready) = 0 THEN
      ready := remaining;  -- a cycle of foreign keys: let PostgreSQL's checks decide
    END IF;
    FOR t IN SELECT m.relid, array_agg(m.row_key) AS keys FROM unnest(matches) m
              WHERE m.relid = ANY (ready) AND m.matched_by <> 'free text' GROUP BY m.relid ORDER BY m.relid LOOP
      IF dry_run THEN
        n := cardinality(t.keys);
      ELSE
        EXECUTE format('DELETE FROM %s c WHERE %s', t.relid::regclass, gdpr._subject_key_in(t.relid, 'c', '$1'))
          USING t.keys;
        GET DIAGNOSTICS n = ROW_COUNT;
      END IF;
      tables := tables || jsonb_build_object(t.relid::regclass::text,
                  coalesce(tables -> t.relid::regclass::text, jsonb_build_object('rows_anonymized', 0, 'values_redacted', 0))
                  || jsonb_build_object('rows_deleted', n));
    END LOOP;
    remaining := ARRAY(SELECT r FROM unnest(remaining) r WHERE NOT r = ANY (ready));
  END LOOP;
END
$$;

CREATE FUNCTION gdpr_erase(identifier text, dry_run boolean DEFAULT false) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  req record;
  result record;
  request_id uuid := gen_random_uuid();
  hold_reason text;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  IF dry_run IS NULL THEN
    RAISE EXCEPTION 'dry_run must not be NULL' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Pass dry_run => true to see what would be erased, or false to erase.';
  END IF;
  req := gdpr._subject_request(identifier);
  -- A legal hold (gdpr_hold, sql/extension/50_retention.sql) outranks
  -- erasure: a dry run reports it, a real erase refuses with its reason.
  hold_reason := gdpr._legal_hold_reason_for_hashes(ARRAY[req.id_hash]);
  IF hold_reason IS NOT NULL AND NOT dry_run THEN
    RAISE EXCEPTION 'this person''s data is under legal hold and cannot be erased'
      USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = 'Hold reason: ' || hold_reason,
            HINT = 'Release the hold with gdpr_release(identifier) when it no longer applies, then erase.';
  END IF;
  result := gdpr._subject_erase(ARRAY[req.id_hash], dry_run);
  IF NOT dry_run THEN
    INSERT INTO gdpr.erasures (request_id, actor, tables, identifier_hashes)
    VALUES (request_id, coalesce(nullif(current_setting('gdpr.actor', true), ''), session_user::text),
            result.tables, ARRAY(SELECT DISTINCT h FROM unnest(result.hashes) h ORDER BY 1));
  END IF;
  RETURN jsonb_build_object('request_id', CASE WHEN dry_run THEN NULL ELSE request_id END,
                            'dry_run', dry_run, 'identifiers', cardinality(result.hashes),
                            'tables', result.tables, 'legal_hold', hold_reason);
END
$$;
COMMENT ON FUNCTION gdpr_erase(text, boolean) IS
  'Erases the person everywhere in one transaction (per table: delete or anonymize; mentions redacted); logged in gdpr.erasures';

-- Re-applies every logged erasure, oldest first, to data restored from an
-- older backup. Works from the logged hashes only; rebuilds the index first
-- because restored rows may have been loaded before the index triggers existed.
CREATE FUNCTION gdpr_replay_erasures() RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  e record;
  result record;
  replayed integer := 0;
  totals jsonb := '{}';
  tbl text;
  counts jsonb;
BEGIN
  PERFORM gdpr._subject_require_dpo();
  PERFORM gdpr._subject_index_sync(NULL, true);
  FOR e IN SELECT * FROM gdpr.erasures ORDER BY at, request_id LOOP
    result := gdpr._subject_erase(e.identifier_hashes, false);
    replayed := replayed + 1;
    FOR tbl, counts IN SELECT * FROM jsonb_each(result.tables) LOOP
      totals := totals || jsonb_build_object(tbl, jsonb_build_object(
        'rows_deleted', coalesce((totals #>> ARRAY[tbl, 'rows_deleted'])::bigint, 0) + (counts ->> 'rows_deleted')::bigint,
        'rows_anonymized', coalesce((totals #>> ARRAY[tbl, 'rows_anonymized'])::bigint, 0) + (counts ->> 'rows_anonymized')::bigint,
        'values_redacted', coalesce((totals #>> ARRAY[tbl, 'values_redacted'])::bigint, 0) + (counts ->> 'values_redacted')::bigint));
    END LOOP;
  END LOOP;
  RETURN jsonb_build_object('erasures_replayed', replayed, 'tables', totals);
END
$$;
COMMENT ON FUNCTION gdpr_replay_erasures() IS
  'Re-applies every erasure of gdpr.erasures (after restoring an older backup), from the logged hashes only';

-- Internals are for the functions above only.
REVOKE ALL ON FUNCTION gdpr._subject_request(text), gdpr._subject_value_hash(text, text),
  gdpr._subject_text_hashes(text), gdpr._subject_redact(text, text[]), gdpr._subject_tags(),
  gdpr._subject_name_hashes(text), gdpr._subject_names_changed(), gdpr._subject_known_name_hashes(),
  gdpr._subject_index_spec(oid), gdpr._subject_index_backfill(oid, jsonb), gdpr._subject_index_sync(oid, boolean),
  gdpr._subject_closure(text[]), gdpr._subject_rows(text[]), gdpr._subject_erase(text[], boolean),
  gdpr._subject_erase_value(oid, smallint), gdpr._subject_index_rows(), gdpr._subject_index_truncate(),
  gdpr._subject_index_uninstall()
  FROM PUBLIC;
