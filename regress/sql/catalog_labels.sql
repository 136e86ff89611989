-- Tagging personal data with security labels of the `gdpr` provider: column
-- and table labels, every category, the canonical spelling, removal, and the
-- gdpr_tag()/gdpr_untag() helpers.
CREATE EXTENSION gdpr;
CREATE SCHEMA catalog_labels;
SET search_path = catalog_labels, public;

CREATE TABLE customers (
  id bigint PRIMARY KEY,
  full_name text,
  email text,
  phone text,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Column labels: a category, then options.
SECURITY LABEL FOR gdpr ON COLUMN customers.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN customers.full_name IS 'name; purpose=customer care; basis=contract';
SECURITY LABEL FOR gdpr ON COLUMN customers.notes IS 'free_text';
-- Spacing and the case of keywords do not matter.
SECURITY LABEL FOR gdpr ON COLUMN customers.phone IS '  Phone ;SUBJECT; Basis = Legitimate_Interest ';
-- A table label: how the table is erased and how long rows are kept.
SECURITY LABEL FOR gdpr ON TABLE customers IS 'erase=anonymize; retention=3 years; retention_column=created_at';

-- PostgreSQL keeps the text as written ...
SELECT objsubid, label FROM pg_seclabel
 WHERE objoid = 'customers'::regclass AND provider = 'gdpr' ORDER BY objsubid;
-- ... and everything that reads a label parses it the same way.
SELECT column_name, category, subject, purpose, basis, erase, retention, retention_column, label
  FROM gdpr.inventory WHERE relation = 'customers'::regclass ORDER BY attnum;

-- gdpr_tag() and gdpr_tag_table() validate the same way and store the
-- canonical spelling (the interval as PostgreSQL prints it).
SELECT gdpr_tag('customers', 'phone', 'PHONE;subject');
SELECT gdpr_tag_table('customers', 'Erase=Delete; retention=P1Y6M; retention_column=Created_At');
SELECT objsubid, label FROM pg_seclabel
 WHERE objoid = 'customers'::regclass AND provider = 'gdpr' ORDER BY objsubid;
-- A schema-qualified table and a column name that needs quoting.
CREATE TABLE "Odd Table" ("E-Mail" text);
SELECT gdpr_tag('catalog_labels."Odd Table"', 'E-Mail', 'email');
SELECT table_name, column_name, label FROM gdpr.inventory WHERE schema_name = 'catalog_labels' AND table_name = 'Odd Table';

-- IS NULL removes a tag; so do gdpr_untag() and gdpr_untag_table().
SECURITY LABEL FOR gdpr ON COLUMN customers.notes IS NULL;
SELECT gdpr_untag('customers', 'phone');
SELECT gdpr_untag_table('customers');
SELECT column_name, category, erase, retention FROM gdpr.inventory
 WHERE relation = 'customers'::regclass ORDER BY attnum;
-- Removing a tag that is not there is not an error.
SELECT gdpr_untag('customers', 'phone');

-- Every category of DESIGN.md is accepted; subject where it makes sense.
CREATE TABLE every_category (id bigint PRIMARY KEY,
  c_email text, c_phone text, c_name text, c_address text, c_ip inet, c_national_id text, c_payment text,
  c_birth date, c_identifier text, c_free_text text, c_recording bytea, c_special text);
SELECT gdpr_tag('every_category', 'c_email', 'email; subject');
SELECT gdpr_tag('every_category', 'c_phone', 'phone; subject');
SELECT gdpr_tag('every_category', 'c_name', 'name; subject');
SELECT gdpr_tag('every_category', 'c_address', 'address');
SELECT gdpr_tag('every_category', 'c_ip', 'ip_address; subject');
SELECT gdpr_tag('every_category', 'c_national_id', 'national_id; subject');
SELECT gdpr_tag('every_category', 'c_payment', 'payment; basis=contract');
SELECT gdpr_tag('every_category', 'c_birth', 'birth_date');
SELECT gdpr_tag('every_category', 'c_identifier', 'identifier; subject');
SELECT gdpr_tag('every_category', 'c_free_text', 'free_text; purpose=support');
SELECT gdpr_tag('every_category', 'c_recording', 'recording; basis=consent');
SELECT gdpr_tag('every_category', 'c_special', 'special; basis=vital_interest');
SELECT column_name, data_type, category, subject, purpose, basis, erase
  FROM gdpr.inventory WHERE relation = 'every_category'::regclass ORDER BY attnum;

-- Partitioned tables are tables too; their partitions are tagged on their own.
CREATE TABLE events (at timestamptz PRIMARY KEY, client_ip inet) PARTITION BY RANGE (at);
SECURITY LABEL FOR gdpr ON COLUMN events.client_ip IS 'ip_address';
SECURITY LABEL FOR gdpr ON TABLE events IS 'retention=30 days; retention_column=at';
SELECT column_name, category, erase, retention, retention_column FROM gdpr.inventory
 WHERE relation = 'events'::regclass;

DROP SCHEMA catalog_labels CASCADE;
RESET search_path;
DROP EXTENSION gdpr;
