-- gdpr.inventory, the GDPR art. 30 record: one row per tagged column with the
-- table's erase mode and retention; and gdpr_inventory_markdown(), the same
-- as a document a DPO can hand over.
CREATE EXTENSION gdpr;
CREATE SCHEMA catalog_inventory;
SET search_path = catalog_inventory, public;
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, email text, phone varchar(32), company text,
                       created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE calls (id bigint PRIMARY KEY, caller text, callee text, started_at timestamptz NOT NULL,
                    duration_s int, cost numeric(10, 2), transcript text);
CREATE TABLE products (id bigint PRIMARY KEY, code text);
SECURITY LABEL FOR gdpr ON COLUMN contacts.name IS 'name; purpose=customer care; basis=contract';
SECURITY LABEL FOR gdpr ON COLUMN contacts.email IS 'email; subject; basis=contract';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone IS 'phone; subject';
SECURITY LABEL FOR gdpr ON TABLE contacts IS 'erase=delete';
SECURITY LABEL FOR gdpr ON COLUMN calls.caller IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.callee IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.transcript IS 'free_text; purpose=quality | training';
SECURITY LABEL FOR gdpr ON TABLE calls IS 'erase=anonymize; retention=2 years; retention_column=started_at';

-- The columns of the record (gdpr.inventory starts with the same ones).
\d gdpr.tagged_columns
-- Only tagged columns are listed; untagged tables (products) are not.
SELECT schema_name, table_name, column_name, data_type, category, subject, purpose, basis, erase, retention,
       retention_column
  FROM gdpr.inventory WHERE schema_name = 'catalog_inventory' ORDER BY table_name, attnum;

-- A table label alone (no tagged column) does not make a table personal data.
SECURITY LABEL FOR gdpr ON TABLE products IS 'erase=delete';
SELECT count(*) FROM gdpr.inventory WHERE relation = 'products'::regclass;

-- The document (its date line is masked here).
SELECT regexp_replace(gdpr_inventory_markdown(), 'Generated [0-9: -]+UTC', 'Generated <now>') AS document \gset
\echo :document

-- Columns that a later part of the extension appends to the view appear in
-- the document without changes to it (here: a stand-in for per-policy rules).
CREATE OR REPLACE VIEW gdpr.inventory AS
  SELECT t.*, CASE WHEN t.category = 'free_text' THEN 'redact' END AS policy_agent FROM gdpr.tagged_columns t;
SELECT line FROM regexp_split_to_table(gdpr_inventory_markdown(), E'\n') AS line
 WHERE line LIKE '| Column%' OR line LIKE '| transcript%';

DROP SCHEMA catalog_inventory CASCADE;
RESET search_path;
DROP EXTENSION gdpr;
