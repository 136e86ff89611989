-- Tags follow the schema: renames keep them, drops leave no stale tag, and
-- ALTER TABLE cannot break a table label's retention_column.
CREATE EXTENSION gdpr;
CREATE SCHEMA catalog_follow;
SET search_path = catalog_follow, public;
CREATE TABLE calls (id bigint PRIMARY KEY, caller text, callee text, transcript varchar(500),
                    started_at timestamptz NOT NULL, cost numeric);
SELECT gdpr_tag('calls', 'caller', 'phone; subject');
SELECT gdpr_tag('calls', 'callee', 'phone; subject');
SELECT gdpr_tag('calls', 'transcript', 'free_text');
SELECT gdpr_tag_table('calls', 'erase=anonymize; retention=2 years; retention_column=started_at');

-- Renaming the table, a tagged column, or moving the table to another schema
-- keeps every tag (labels are keyed by OID and column number).
ALTER TABLE calls RENAME TO phone_calls;
ALTER TABLE phone_calls RENAME COLUMN caller TO from_number;
CREATE SCHEMA catalog_follow_archive;
ALTER TABLE phone_calls SET SCHEMA catalog_follow_archive;
SELECT schema_name, table_name, column_name, category, subject, erase, retention_column
  FROM gdpr.inventory WHERE table_name = 'phone_calls' ORDER BY attnum;
ALTER TABLE catalog_follow_archive.phone_calls SET SCHEMA catalog_follow;

-- Renaming the retention column rewrites the table label, which names it.
ALTER TABLE phone_calls RENAME COLUMN started_at TO began_at;
SELECT label FROM pg_seclabel WHERE objoid = 'phone_calls'::regclass AND objsubid = 0 AND provider = 'gdpr';
SELECT DISTINCT retention_column FROM gdpr.inventory WHERE relation = 'phone_calls'::regclass;

-- ALTER COLUMN TYPE revalidates: a tagged column may change type ...
ALTER TABLE phone_calls ALTER COLUMN transcript TYPE text;
SELECT column_name, data_type, category FROM gdpr.inventory
 WHERE relation = 'phone_calls'::regclass AND column_name = 'transcript';
-- ... the retention column may become another date/time type ...
ALTER TABLE phone_calls ALTER COLUMN began_at TYPE timestamp;
-- ... but not text: the statement is refused and rolled back.
ALTER TABLE phone_calls ALTER COLUMN began_at TYPE text;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'phone_calls'::regclass AND attname = 'began_at';

-- Dropping the retention column is refused like a dependency ...
ALTER TABLE phone_calls DROP COLUMN began_at;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- ... until the table label no longer names it.
SELECT gdpr_tag_table('phone_calls', 'erase=anonymize');
ALTER TABLE phone_calls DROP COLUMN began_at;

-- A dropped tagged column leaves no label behind.
ALTER TABLE phone_calls DROP COLUMN callee;
SELECT column_name FROM gdpr.inventory WHERE relation = 'phone_calls'::regclass ORDER BY attnum;
SELECT count(*) AS labels_left FROM pg_seclabel
 WHERE objoid = 'phone_calls'::regclass AND provider = 'gdpr' AND objsubid > 0;

-- A dropped table leaves no label behind either.
SELECT 'phone_calls'::regclass::oid AS dropped_oid \gset
DROP TABLE phone_calls;
SELECT count(*) AS labels_left FROM pg_seclabel WHERE objoid = :dropped_oid AND provider = 'gdpr';

-- Inheritance: a child's own table label is checked when the parent's column changes type.
CREATE TABLE parent_log (id int, logged_at timestamptz);
CREATE TABLE child_log () INHERITS (parent_log);
SECURITY LABEL FOR gdpr ON COLUMN child_log.id IS 'identifier';
SECURITY LABEL FOR gdpr ON TABLE child_log IS 'retention=1 day; retention_column=logged_at';
ALTER TABLE parent_log ALTER COLUMN logged_at TYPE text;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ALTER TABLE parent_log RENAME COLUMN logged_at TO written_at;
SELECT label FROM pg_seclabel WHERE objoid = 'child_log'::regclass AND objsubid = 0 AND provider = 'gdpr';

DROP SCHEMA catalog_follow CASCADE;
DROP SCHEMA catalog_follow_archive;
RESET search_path;
DROP EXTENSION gdpr;
