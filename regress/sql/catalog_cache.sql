-- The C++ catalog API that audit and masking read (catalog/catalog.hpp),
-- served from a backend-local cache: it shows the tags, and it follows every
-- change through relcache invalidation: in this session at once, after a
-- ROLLBACK, and in another session after COMMIT (pg_seclabel changes send no
-- invalidation of their own; the label hook sends one).
CREATE EXTENSION gdpr;
CREATE SCHEMA catalog_cache;
SET search_path = catalog_cache, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, email text, phone text, created_at date);
CREATE TABLE products (id bigint PRIMARY KEY, code text);
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject; purpose=support';
SECURITY LABEL FOR gdpr ON COLUMN contacts.name IS 'name';
SECURITY LABEL FOR gdpr ON TABLE contacts IS 'erase=anonymize; retention=5 years; retention_column=created_at';

-- lookup(): tagged columns by attribute number, with the table's options.
SELECT * FROM gdpr._catalog_tags('contacts');
-- An untagged table has no entry (nullptr for C++ callers).
SELECT count(*) FROM gdpr._catalog_tags('products');
-- tagged_relations(): every relation with a tagged column.
SELECT relation FROM gdpr._tagged_relations() WHERE relation::text LIKE 'catalog_cache.%' OR relation::text IN ('contacts', 'products');

-- A change in this session is seen at once, and version() moves on.
SELECT gdpr._catalog_version() AS v0 \gset
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
SELECT attnum, column_name, category FROM gdpr._catalog_tags('contacts');
SELECT gdpr._catalog_version() > :v0 AS version_moved;

-- Inside a transaction that is rolled back, the cache forgets the change.
BEGIN;
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS NULL;
SECURITY LABEL FOR gdpr ON TABLE contacts IS NULL;
SELECT attnum, column_name, category, erase, retention FROM gdpr._catalog_tags('contacts');
ROLLBACK;
SELECT attnum, column_name, category, erase, retention FROM gdpr._catalog_tags('contacts');

-- Another backend: it caches the tags, then sees our committed change.
CREATE EXTENSION dblink;
SELECT dblink_connect('other', 'dbname=' || current_database());
SELECT * FROM dblink('other', $$SELECT column_name, category FROM gdpr._catalog_tags('catalog_cache.contacts')$$)
  AS t(column_name name, category text);
SELECT * FROM dblink('other', $$SELECT relation::text FROM gdpr._tagged_relations()
                                 WHERE relation::text LIKE 'catalog_cache.%'$$) AS t(relation text);
SECURITY LABEL FOR gdpr ON COLUMN contacts.name IS NULL;
SECURITY LABEL FOR gdpr ON COLUMN products.code IS 'identifier';
SELECT * FROM dblink('other', $$SELECT column_name, category FROM gdpr._catalog_tags('catalog_cache.contacts')$$)
  AS t(column_name name, category text);
SELECT * FROM dblink('other', $$SELECT relation::text FROM gdpr._tagged_relations()
                                 WHERE relation::text LIKE 'catalog_cache.%'$$) AS t(relation text);
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;

-- DDL invalidates the relcache anyway: a renamed column, a dropped one and
-- the retention column's new number are seen at once.
ALTER TABLE contacts RENAME COLUMN email TO e_mail;
ALTER TABLE contacts DROP COLUMN phone;
ALTER TABLE contacts DROP COLUMN created_at CASCADE;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR gdpr ON TABLE contacts IS NULL;
ALTER TABLE contacts DROP COLUMN created_at;
ALTER TABLE contacts ADD COLUMN created_at date;
SECURITY LABEL FOR gdpr ON TABLE contacts IS 'retention=1 year; retention_column=created_at';
SELECT attnum, column_name, category, retention, retention_attnum FROM gdpr._catalog_tags('contacts');

-- Untagging the last column removes the table from the catalog.
SECURITY LABEL FOR gdpr ON COLUMN products.code IS NULL;
SELECT count(*) FROM gdpr._catalog_tags('products');

DROP SCHEMA catalog_cache CASCADE;
RESET search_path;
DROP EXTENSION gdpr;
