-- Personal-data catalog: which columns hold personal data (security labels of
-- the `gdpr` provider, validated by the extension's label hook), the
-- gdpr.inventory view over them, tagging helpers and gdpr_scan().
-- Grammar and examples: docs/dba/tagging.md.

-- The label parser of the extension, for SQL. Every reader of a label uses it,
-- so spellings such as 'Email ;Subject' and 'email; subject' read the same.
CREATE FUNCTION gdpr._column_label(label text, OUT category text, OUT subject boolean, OUT purpose text,
                                   OUT basis text, OUT canonical text) RETURNS record
  AS 'MODULE_PATHNAME', 'gdpr_column_label' LANGUAGE C STRICT IMMUTABLE;
-- STABLE: the interval is printed in the session's IntervalStyle.
CREATE FUNCTION gdpr._table_label(label text, OUT erase text, OUT retention interval, OUT retention_column name,
                                  OUT canonical text) RETURNS record
  AS 'MODULE_PATHNAME', 'gdpr_table_label' LANGUAGE C STRICT STABLE;

-- One row per tagged column: the catalog as SQL sees it.
CREATE VIEW gdpr.tagged_columns AS
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       a.attname AS column_name,
       format_type(a.atttypid, a.atttypmod) AS data_type,
       col.category,
       col.subject,
       col.purpose,
       col.basis,
       coalesce(tab.erase, 'delete') AS erase,
       tab.retention,
       tab.retention_column,
       c.oid::regclass AS relation,
       a.attnum,
       col.canonical AS label
FROM pg_seclabel s
JOIN pg_class c ON c.oid = s.objoid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = s.objsubid AND NOT a.attisdropped
CROSS JOIN LATERAL gdpr._column_label(s.label) col
LEFT JOIN pg_seclabel ts
       ON ts.objoid = c.oid AND ts.classoid = 'pg_class'::regclass AND ts.objsubid = 0 AND ts.provider = 'gdpr'
LEFT JOIN LATERAL gdpr._table_label(ts.label) tab ON true
WHERE s.provider = 'gdpr' AND s.classoid = 'pg_class'::regclass AND s.objsubid > 0;
COMMENT ON VIEW gdpr.tagged_columns IS 'Every column tagged with a gdpr security label, labels parsed';

-- The GDPR art. 30 record. Later parts of the extension add their columns
-- (each policy's rule, the oldest row's age) by replacing this view with
--   CREATE OR REPLACE VIEW gdpr.inventory AS SELECT t.*, <new columns> FROM gdpr.tagged_columns t ...
-- which keeps these columns first and unchanged, as CREATE OR REPLACE VIEW requires.
CREATE VIEW gdpr.inventory AS SELECT t.* FROM gdpr.tagged_columns t;
COMMENT ON VIEW gdpr.inventory IS 'Personal-data inventory (GDPR art. 30): every column tagged with a gdpr security label';
GRANT SELECT ON gdpr.tagged_columns, gdpr.inventory TO gdpr_dpo;

-- Tagging helpers: the same validation as SECURITY LABEL (they run it), and
-- they store the canonical spelling of the label.
CREATE FUNCTION gdpr_tag(relation regclass, column_name name, label text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF relation IS NULL OR column_name IS NULL OR label IS NULL THEN
    RAISE EXCEPTION 'gdpr_tag: table, column and label must not be NULL' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'To remove a tag, use gdpr_untag(table, column).';
  END IF;
  IF column_name = '' THEN
    RAISE EXCEPTION 'gdpr_tag: empty column name' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Name a column of the table.';
  END IF;
  EXECUTE format('SECURITY LABEL FOR gdpr ON COLUMN %s.%I IS %L', relation, column_name,
                 (gdpr._column_label(label)).canonical);
END
$fn$;

CREATE FUNCTION gdpr_untag(relation regclass, column_name name) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF relation IS NULL OR column_name IS NULL THEN
    RAISE EXCEPTION 'gdpr_untag: table and column must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF column_name = '' THEN
    RAISE EXCEPTION 'gdpr_untag: empty column name' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Name a column of the table.';
  END IF;
  EXECUTE format('SECURITY LABEL FOR gdpr ON COLUMN %s.%I IS NULL', relation, column_name);
END
$fn$;

CREATE FUNCTION gdpr_tag_table(relation regclass, label text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF relation IS NULL OR label IS NULL THEN
    RAISE EXCEPTION 'gdpr_tag_table: table and label must not be NULL' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'To remove a table label, use gdpr_untag_table(table).';
  END IF;
  EXECUTE format('SECURITY LABEL FOR gdpr ON TABLE %s IS %L', relation, (gdpr._table_label(label)).canonical);
END
$fn$;

CREATE FUNCTION gdpr_untag_table(relation regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF relation IS NULL THEN
    RAISE EXCEPTION 'gdpr_untag_table: table must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  EXECUTE format('SECURITY LABEL FOR gdpr ON TABLE %s IS NULL', relation);
END
$fn$;

-- The inventory as a Markdown document a DPO can hand to an auditor. Columns
-- that later parts add to gdpr.inventory appear in it without changes here.
-- IntervalStyle is fixed so the document reads "2 years" in every session.
CREATE FUNCTION gdpr_inventory_markdown() RETURNS text
LANGUAGE plpgsql STABLE SET intervalstyle = 'postgres' AS $fn$
DECLARE
  base_columns constant text[] := ARRAY['schema_name', 'table_name', 'column_name', 'data_type', 'category',
    'subject', 'purpose', 'basis', 'erase', 'retention', 'retention_column', 'relation', 'attnum', 'label'];
  extra text[];
  doc text;
  t record;
  c record;
  k text;
  line text;
BEGIN
  SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') INTO extra
    FROM pg_attribute
   WHERE attrelid = 'gdpr.inventory'::regclass AND attnum > 0 AND NOT attisdropped
     AND attname::text <> ALL (base_columns);

  doc := E'# Record of processing activities (GDPR art. 30)\n\n'
      || format(E'Personal data held in database `%s`, as tagged in its gdpr catalog. Generated %s.\n\n',
                current_database(), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'));

  doc := doc || E'## Categories of personal data\n\n| Category | Columns | Tables |\n|---|---|---|\n';
  FOR c IN SELECT category, count(*) AS columns,
                  string_agg(DISTINCT format('%I.%I', schema_name, table_name), ', ') AS tables
             FROM gdpr.inventory GROUP BY category ORDER BY category LOOP
    doc := doc || format(E'| %s | %s | %s |\n', c.category, c.columns, replace(c.tables, '|', '\|'));
  END LOOP;

  FOR t IN SELECT DISTINCT relation, schema_name, table_name, erase, retention, retention_column
             FROM gdpr.inventory ORDER BY schema_name, table_name LOOP
    doc := doc || format(E'\n## %I.%I\n\nErasure: %s. Retention: %s.\n\n', t.schema_name, t.table_name,
                         CASE t.erase WHEN 'anonymize' THEN 'anonymize (tagged columns are overwritten, rows kept)'
                                      ELSE 'delete (rows are deleted)' END,
                         CASE WHEN t.retention IS NULL THEN 'none defined'
                              ELSE format('%s after %s', t.retention, t.retention_column) END);
    line := '| Column | Type | Category | Identifies the subject | Purpose | Legal basis |';
    FOREACH k IN ARRAY extra LOOP line := line || format(' %s |', k); END LOOP;
    doc := doc || line || E'\n|' || repeat('---|', 6 + cardinality(extra)) || E'\n';
    FOR c IN SELECT i.*, to_jsonb(i) AS j FROM gdpr.inventory i WHERE i.relation = t.relation ORDER BY i.attnum LOOP
      line := format('| %s | %s | %s | %s | %s | %s |', c.column_name, c.data_type, c.category,
                     CASE WHEN c.subject THEN 'yes' ELSE 'no' END,
                     replace(coalesce(c.purpose, ''), '|', '\|'), coalesce(c.basis, ''));
      FOREACH k IN ARRAY extra LOOP
        line := line || format(' %s |', replace(coalesce(c.j ->> k, ''), '|', '\|'));
      END LOOP;
      doc := doc || line || E'\n';
    END LOOP;
  END LOOP;
  RETURN doc;
END
$fn$;
GRANT EXECUTE ON FUNCTION gdpr_inventory_markdown() TO gdpr_dpo;

-- Untagged columns that look like personal data, from their names and from a
-- bounded sample of their values (TABLESAMPLE SYSTEM: large tables are not
-- scanned). Example values are masked.
CREATE FUNCTION gdpr_scan(sample_rows integer DEFAULT 1000)
  RETURNS TABLE ("table" regclass, column_name name, suggested_label text, confidence real, examples text[])
  AS 'MODULE_PATHNAME', 'gdpr_scan' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION gdpr_scan(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gdpr_scan(integer) TO gdpr_dpo;

-- The C++ catalog API (what audit and masking read, from the backend-local
-- cache) seen from SQL, for the regression tests.
CREATE FUNCTION gdpr._catalog_tags(relation regclass)
  RETURNS TABLE (attnum smallint, column_name name, category text, subject boolean, purpose text, basis text,
                 erase text, retention interval, retention_attnum smallint)
  AS 'MODULE_PATHNAME', 'gdpr_catalog_tags' LANGUAGE C STRICT STABLE;
CREATE FUNCTION gdpr._tagged_relations() RETURNS TABLE (relation regclass)
  AS 'MODULE_PATHNAME', 'gdpr_tagged_relations' LANGUAGE C STRICT STABLE;
CREATE FUNCTION gdpr._catalog_version() RETURNS bigint
  AS 'MODULE_PATHNAME', 'gdpr_catalog_version' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION gdpr._catalog_tags(regclass), gdpr._tagged_relations(), gdpr._catalog_version() FROM PUBLIC;
