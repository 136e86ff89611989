-- gdpr_scan(): untagged columns that look like personal data, from their
-- names (in several languages) and from a bounded sample of their values,
-- with masked examples. Tagged columns and product codes are not suggested.
CREATE EXTENSION gdpr;
CREATE SCHEMA catalog_scan;
SET search_path = catalog_scan, public;

-- Names say nothing here; the values do.
CREATE TABLE leads (id bigint PRIMARY KEY, c1 text, c2 text, c3 text, c4 text, c5 inet, c6 date, c7 date, note text);
INSERT INTO leads VALUES
  (1, 'jana.novakova@example.sk', '+421 905 123 456', 'SK31 1200 0000 1987 4263 7541', 'PRD-10001', '192.0.2.10',
   '1984-03-17', '2025-01-10', 'called back'),
  (2, 'peter.horvath@example.com', '0905 987 654', 'DE89370400440532013000', 'SKU-4432-A', '2001:db8::7',
   '1990-12-01', '2025-02-11', NULL),
  (3, 'anna@example.org', '+420 601 234 567', 'GB82 WEST 1234 5698 7654 32', 'PRD-10002', '198.51.100.4',
   '1975-06-30', '2024-11-30', 'ok'),
  (4, 'Boris.Kral@Example.SK', '0911/222 333', 'CZ6508000000192000145399', 'AB-77-X', '203.0.113.9',
   '2001-01-15', '2025-03-01', NULL),
  (5, NULL, '+44 20 7946 0958', 'AT611904300234573201', 'PRD-10003', NULL, '1969-07-20', '2025-04-02', 'no answer'),
  (6, 'dora@example.net', '00421 2 1234 5678', NULL, 'SKU-0001-B', '192.0.2.99', NULL, '2025-05-05', NULL);
-- (c6 holds adults' birth dates; c7 recent dates, which are not suggested.)

-- The names say it (Slovak, Czech, German, English); the values agree or are absent.
CREATE TABLE zakaznici (id bigint PRIMARY KEY, meno text, priezvisko text, e_mail text, telefon text, adresa text,
                        rodne_cislo text, datum_narodenia date, jmeno text, nachname text, client_ip inet,
                        product_name text, company_name text, created_at timestamptz, product_code text,
                        email_verified boolean, quantity int);
INSERT INTO zakaznici (id, meno, priezvisko, e_mail, telefon, adresa, product_code, quantity)
  SELECT g, 'Meno' || g, 'Priezvisko' || g, 'user' || g || '@example.sk', '0905 ' || (100000 + g), 'Hlavna ' || g,
         'PRD-' || (20000 + g), g
    FROM generate_series(1, 20) g;

-- Tagged columns are not suggested again.
CREATE TABLE tagged (id bigint PRIMARY KEY, email text, phone text);
INSERT INTO tagged VALUES (1, 'x@example.com', '+421905000111');
SECURITY LABEL FOR gdpr ON COLUMN tagged.email IS 'email; subject';

SELECT "table", column_name, suggested_label, confidence, examples
  FROM gdpr_scan() WHERE "table"::text IN ('leads', 'zakaznici', 'tagged')
 ORDER BY "table"::text, column_name;

-- Product codes, other names, flags and numbers are never suggested.
SELECT count(*) AS not_personal_suggested FROM gdpr_scan()
 WHERE "table"::text IN ('leads', 'zakaznici')
   AND column_name IN ('id', 'c4', 'c7', 'product_code', 'product_name', 'company_name', 'created_at', 'email_verified',
                       'quantity');

-- Examples never show a whole value.
SELECT count(*) AS unmasked_examples
  FROM gdpr_scan() s, unnest(s.examples) e
 WHERE "table"::text = 'leads' AND e IN (SELECT c1 FROM leads UNION SELECT c2 FROM leads UNION SELECT c3 FROM leads);

-- Large tables are sampled, not scanned: 200 000 rows, a sample of 100, and
-- the table's statistics show only a small number of rows read.
CREATE TABLE big (id bigint, contact text);
INSERT INTO big SELECT g, 'person' || g || '@example.com' FROM generate_series(1, 200000) g;
ANALYZE big;
SELECT pg_stat_force_next_flush();
SELECT seq_tup_read AS rows_read_before FROM pg_stat_user_tables WHERE relid = 'big'::regclass \gset
SELECT "table", column_name, suggested_label FROM gdpr_scan(100) WHERE "table" = 'big'::regclass;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT seq_tup_read - :rows_read_before < 1000 AS sampled_not_scanned, seq_tup_read - :rows_read_before > 0 AS read_some
  FROM pg_stat_user_tables WHERE relid = 'big'::regclass;

-- A caller who may not read a table still gets suggestions from its names.
CREATE ROLE catalog_scan_dpo IN ROLE gdpr_dpo;
GRANT USAGE ON SCHEMA catalog_scan TO catalog_scan_dpo;
SET ROLE catalog_scan_dpo;
SELECT column_name, suggested_label, examples FROM gdpr_scan()
 WHERE "table"::text = 'zakaznici' AND column_name IN ('e_mail', 'telefon') ORDER BY column_name;
RESET ROLE;
-- Without USAGE on the schema, too: judged by name, nothing read.
SELECT 'zakaznici'::regclass::oid AS zakaznici_oid \gset
REVOKE USAGE ON SCHEMA catalog_scan FROM catalog_scan_dpo;
SET ROLE catalog_scan_dpo;
SELECT column_name, suggested_label, examples FROM gdpr_scan()
 WHERE "table"::oid = :zakaznici_oid AND column_name IN ('e_mail', 'telefon') ORDER BY column_name;
RESET ROLE;
-- gdpr_scan is for the DPO role, not for everybody.
CREATE ROLE catalog_scan_nobody;
SET ROLE catalog_scan_nobody;
SELECT count(*) FROM gdpr_scan();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE catalog_scan_nobody;
DROP ROLE catalog_scan_dpo;

DROP SCHEMA catalog_scan CASCADE;
RESET search_path;
DROP EXTENSION gdpr;
