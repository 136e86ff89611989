-- The subject index (gdpr.subject_index): kept current by statement triggers that
-- tagging installs, on INSERT, UPDATE, DELETE and TRUNCATE; holds keyed hashes
-- only; follows tag changes; rebuildable.
CREATE EXTENSION gdpr;
\set VERBOSITY terse
CREATE TABLE subject_notes (id int PRIMARY KEY, email text, phone text, note text, other text);
-- Untagged: no trigger, nothing indexed.
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'subject_notes'::regclass AND tgname LIKE 'gdpr\_subject\_index\_%';
INSERT INTO subject_notes VALUES (1, 'ann@example.com', '0905 111 222', 'call ann on +421905111222', 'x');

-- Tagging installs the trigger and indexes the rows already there.
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.email IS 'email; subject';
-- Internal triggers (PostgreSQL names them <name>_<oid>), which pg_dump leaves out.
SELECT regexp_replace(tgname, '_[0-9]+$', '') AS tgname, tgisinternal FROM pg_trigger WHERE tgrelid = 'subject_notes'::regclass ORDER BY 1;
SELECT row_key, attnum, source, length(id_hash) AS hash_length FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass ORDER BY attnum, source;
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.note IS 'free_text';
SELECT row_key, attnum, source FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass ORDER BY attnum, source;
-- The index never holds an identifier in clear.
SELECT count(*) AS clear_text FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass AND id_hash !~ '^[0-9a-f]{64}$';
-- The same identifier in a subject column and in free text has the same hash.
SELECT count(DISTINCT id_hash) AS distinct_hashes FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass;

-- INSERT, UPDATE and DELETE keep it current.
INSERT INTO subject_notes VALUES (2, 'BEN@example.com', NULL, 'no identifiers here', 'x');
SELECT row_key, attnum, source FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass ORDER BY row_key, attnum, source;
UPDATE subject_notes SET other = 'y';          -- untagged column: index unchanged
SELECT count(*) FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass;
UPDATE subject_notes SET note = 'mail me: ben@example.com' WHERE id = 2;
SELECT row_key, attnum, source FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass AND row_key = '{"id": 2}' ORDER BY attnum, source;
UPDATE subject_notes SET id = 3 WHERE id = 2;  -- a new key moves the entries
SELECT DISTINCT row_key FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass ORDER BY 1;
DELETE FROM subject_notes WHERE id = 3;
SELECT DISTINCT row_key FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass ORDER BY 1;
TRUNCATE subject_notes;
SELECT count(*) AS after_truncate FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass;

-- Untagging a column drops its entries; untagging the table drops the trigger.
INSERT INTO subject_notes VALUES (1, 'ann@example.com', '0905 111 222', 'call ann on +421905111222', 'x');
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.note IS NULL;
SELECT row_key, attnum, source FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass ORDER BY attnum, source;
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.email IS NULL;
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.phone IS NULL;
SELECT count(*) AS entries, (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'subject_notes'::regclass AND tgname LIKE 'gdpr\_subject\_index\_%') AS triggers
  FROM gdpr.subject_index WHERE relid = 'subject_notes'::regclass;

-- Renaming a tagged column keeps it indexed under its new name.
SECURITY LABEL FOR gdpr ON COLUMN subject_notes.email IS 'email; subject';
ALTER TABLE subject_notes RENAME COLUMN email TO mail;
INSERT INTO subject_notes VALUES (4, 'cy@example.com', NULL, NULL, NULL);
SELECT relation, row_key, columns FROM gdpr_find('cy@example.com');

-- A dropped table leaves no entries behind.
SELECT 'subject_notes'::regclass::oid AS notes_oid \gset
DROP TABLE subject_notes;
SELECT count(*) AS after_drop FROM gdpr.subject_index WHERE relid = :notes_oid;

-- Tables without a primary key cannot be indexed: a warning says so.
CREATE TABLE subject_nokey (email text);
SECURITY LABEL FOR gdpr ON COLUMN subject_nokey.email IS 'email; subject';
DROP TABLE subject_nokey;

-- Rebuild: repairs a damaged index from the tables.
CREATE TABLE subject_repair (id int PRIMARY KEY, email text);
SECURITY LABEL FOR gdpr ON COLUMN subject_repair.email IS 'email; subject';
INSERT INTO subject_repair SELECT i, 'user' || i || '@example.com' FROM generate_series(1, 50) i;
DELETE FROM gdpr.subject_index WHERE relid = 'subject_repair'::regclass AND row_key = '{"id": 7}';
SELECT count(*) AS found_before_rebuild FROM gdpr_find('user7@example.com');
SELECT gdpr.subject_index_rebuild('subject_repair');
SELECT count(*) AS found_after_rebuild FROM gdpr_find('user7@example.com');
SELECT gdpr.subject_index_rebuild() >= 1 AS rebuilt_all;
SELECT count(*) AS entries FROM gdpr.subject_index WHERE relid = 'subject_repair'::regclass;
DROP TABLE subject_repair;

-- DROP EXTENSION needs no CASCADE: the index triggers go with it, the tagged
-- tables stay and keep working.
CREATE TABLE subject_keep (id int PRIMARY KEY, email text);
SECURITY LABEL FOR gdpr ON COLUMN subject_keep.email IS 'email; subject';
SELECT count(*) AS index_triggers FROM pg_trigger WHERE tgrelid = 'subject_keep'::regclass AND tgname LIKE 'gdpr\_subject\_index\_%';
DROP EXTENSION gdpr;
SELECT count(*) AS index_triggers FROM pg_trigger WHERE tgrelid = 'subject_keep'::regclass AND tgname LIKE 'gdpr\_subject\_index\_%';
INSERT INTO subject_keep VALUES (1, 'a@example.com');
DROP TABLE subject_keep;
