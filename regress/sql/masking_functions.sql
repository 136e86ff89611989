-- The masking functions behind the masked views (extension/masking/).
-- Each rule keeps what its name promises and nothing more.
-- (IF NOT EXISTS: an earlier suite may have left the extension installed.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS gdpr;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- partial, phone: country code, first digit and last three digits, any notation.
SELECT v AS phone, gdpr.mask_partial(v, 'phone') AS masked
FROM (VALUES ('+421905123456'), ('+421 905 123 456'), ('0905/123-456'), ('00421 905 123 456'),
             ('+43 664 1234567'), ('+420 602 123 456'), ('+44 20 7946 0958'), ('12'), ('')) t(v);
-- National notation is read in gdpr.default_phone_region.
SET gdpr.default_phone_region = 'CZ';
SELECT gdpr.mask_partial('602 123 456', 'phone') AS cz_national;
RESET gdpr.default_phone_region;

-- partial, e-mail: first character of the local part and the domain.
SELECT v AS email, gdpr.mask_partial(v, 'email') AS masked
FROM (VALUES ('jane.doe@example.com'), ('Ján.Novák@firma.sk'), (' x@y.eu '), ('not-an-email'), ('@nolocal.sk')) t(v);

-- partial, name: first character of every word.
SELECT v AS name, gdpr.mask_partial(v, 'name') AS masked
FROM (VALUES ('Jane Doe'), ('Ľubomír  Šťastný'), ('Anna-Mária van der Berg'), ('X')) t(v);

-- partial, payment: an IBAN keeps country, check digits and the last four;
-- other card-like numbers only the last four.
SELECT v AS payment, gdpr.mask_partial(v, 'payment') AS masked
FROM (VALUES ('SK31 1200 0000 1987 4263 7541'), ('sk3112000000198742637541'), ('DE89370400440532013000'),
             ('4111 1111 1111 1111'), ('SK00 1234')) t(v);

-- partial, address: the town (last comma-separated part) stays.
SELECT v AS address, gdpr.mask_partial(v, 'address') AS masked
FROM (VALUES ('Hlavná 12, 811 01 Bratislava'), ('Main Street 5 Springfield'), ('Košice')) t(v);

-- partial, IP address: the network part.
SELECT v AS ip, gdpr.mask_partial(v, 'ip_address') AS masked
FROM (VALUES ('192.168.10.77'), ('2001:db8:85a3::8a2e:370:7334'), ('localhost')) t(v);

-- partial, other categories: first and last character.
SELECT gdpr.mask_partial('850101/1234', 'national_id') AS national_id,
       gdpr.mask_partial('ab', 'identifier') AS two_chars,
       gdpr.mask_partial('žltý kôň', 'special') AS multibyte;

-- An unknown category is refused (the views only ever pass known ones).
SELECT gdpr.mask_partial('x', 'shoe_size');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- hash: a keyed pseudonym, pseu_ + 16 hex; the same value always gives the
-- same token (joins and GROUP BY keep working), different values differ, and
-- the value cannot be read from it.
SELECT gdpr.mask_hash('jane@example.com') ~ '^pseu_[0-9a-f]{16}$' AS shape,
       gdpr.mask_hash('jane@example.com') = gdpr.mask_hash('jane@example.com') AS stable,
       gdpr.mask_hash('jane@example.com') <> gdpr.mask_hash('Jane@example.com') AS distinct_values,
       position('jane' IN gdpr.mask_hash('jane@example.com')) = 0 AS opaque;

-- redact: identifiers inside free text become placeholders, the rest stays.
SELECT gdpr.mask_redact('Hi, this is Jane (jane.doe@example.com), call me on 0905 123 456 '
                        'or pay to SK31 1200 0000 1987 4263 7541. Thanks!') AS redacted;
SELECT gdpr.mask_redact('Nothing personal here.') AS untouched;
-- Names are not redacted here: this function is told nothing about where the
-- text comes from, and must not tell a caller whether a string is someone's
-- name. The masked views redact known names from the stored row
-- (masking_names.sql).
SELECT gdpr.mask_redact('Dear Jana Nováková, thanks.') AS names_kept;

-- generalize, numbers: the range of one significant digit.
SELECT v AS value, gdpr.mask_generalize_number(v) AS range
FROM (VALUES (0::float8), (7), (42), (150), (199.99), (12345), (-42), ('NaN'), ('Infinity')) t(v);

-- Every mask returns NULL for NULL (STRICT): a missing value stays missing.
SELECT gdpr.mask_partial(NULL, 'email') IS NULL AS partial_null, gdpr.mask_hash(NULL) IS NULL AS hash_null,
       gdpr.mask_redact(NULL) IS NULL AS redact_null, gdpr.mask_generalize_number(NULL) IS NULL AS generalize_null;

-- Volatility and leak-proofness are declared truthfully.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proleakproof, p.proisstrict, p.proparallel
FROM pg_proc p WHERE p.pronamespace = 'gdpr'::regnamespace AND p.proname LIKE 'mask\_%' ORDER BY 1::text;

DROP EXTENSION gdpr;
