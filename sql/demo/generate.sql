-- Deterministic demo data for the schema of schema.sql (see docs/demo-data.md).
--
--   psql -v scale=1 -f sql/demo/generate.sql      (scale defaults to 1; 0.1, 10, 100 ... work)
--
-- Scale 1: 1,000 contacts, 50 agents, 10,000 calls (~3,000 recordings), 5,000
-- tickets (~20,000 messages). Every value is a pure function of the row number
-- and the scale: the pseudo-random numbers come from hashint8extended(row, salt),
-- never from random(). Only the timestamps move: they are offsets in whole
-- seconds before the anchor, midnight of the day of loading (current_date), so
-- the data always covers the last three years.
--
-- Fast at large scales because everything is set-based and the secondary
-- indexes and foreign keys are dropped while loading and recreated afterwards
-- (from their own definitions, like pg_restore does). All of it runs in one
-- transaction: on error the database is left as it was.

\set ON_ERROR_STOP on
\if :{?scale}
\else
  \set scale 1
\endif

SET client_min_messages = warning;
SELECT set_config('demo.scale', :'scale', false) \g /dev/null
DO $$
BEGIN
  IF current_setting('demo.scale') !~ '^\s*([0-9]+\.?[0-9]*|\.[0-9]+)\s*$'
     OR current_setting('demo.scale')::numeric <= 0 THEN
    RAISE EXCEPTION 'invalid demo scale "%"', current_setting('demo.scale')
      USING ERRCODE = '22023',
            HINT = 'Pass a positive number, e.g. psql -v scale=1 (1 = 1,000 contacts, 10,000 calls).';
  END IF;
END
$$;

-- Row counts. Agents grow with the load too, so that calls per agent stay sane.
SELECT greatest(1, round(1000 * s))::bigint AS n_contacts,
       greatest(2, round(50 * s))::bigint AS n_agents,
       greatest(1, round(10000 * s))::bigint AS n_calls,
       greatest(1, round(5000 * s))::bigint AS n_tickets,
       current_date::timestamptz AS anchor
  FROM (SELECT current_setting('demo.scale')::numeric AS s) AS knob \gset demo_

BEGIN;
-- JIT compiling these expression-heavy statements costs more than it saves.
SET LOCAL jit = off;

DO $$
DECLARE
  t text;
  filled boolean;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'agents', 'calls', 'recordings', 'tickets', 'ticket_messages'] LOOP
    EXECUTE format('SELECT EXISTS (SELECT FROM public.%I)', t) INTO filled;
    IF filled THEN
      RAISE EXCEPTION 'demo table "%" is not empty', t
        USING ERRCODE = '55000',
              HINT = 'generate.sql fills a freshly created demo schema (schema.sql) exactly once.';
    END IF;
  END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Deterministic pseudo-randomness and vocabulary (temporary functions: they
-- leave nothing behind in the demo database).
-------------------------------------------------------------------------------

-- Uniform in [0, 1), a pure function of (seq, salt). Each attribute uses its
-- own salt so that attributes of one row are independent.
CREATE FUNCTION pg_temp.rnd(seq bigint, salt int) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((hashint8extended(seq, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992 $$;

-- Integer in [0, n).
CREATE FUNCTION pg_temp.pick(seq bigint, salt int, n bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(pg_temp.rnd(seq, salt) * n)::bigint $$;

-- A string of len decimal digits (len <= 15).
CREATE FUNCTION pg_temp.digits(seq bigint, salt int, len int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lpad(((hashint8extended(seq, salt) & 9007199254740991) % ('1' || repeat('0', len))::bigint)::text, len, '0') $$;

-- Element of arr chosen by r in [0, 1).
CREATE FUNCTION pg_temp.el(arr text[], r float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT arr[1 + floor(r * cardinality(arr))::int] $$;

CREATE FUNCTION pg_temp.first_name(origin text, female boolean, r float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT pg_temp.el(CASE origin || CASE WHEN female THEN '_f' ELSE '_m' END
  WHEN 'sk_m' THEN '{Peter,Martin,Ján,Tomáš,Michal,Jozef,Marek,Lukáš,Juraj,Andrej,Miroslav,Milan,Štefan,Róbert,Dušan,Matej,Ľubomír,Igor}'::text[]
  WHEN 'sk_f' THEN '{Jana,Mária,Zuzana,Katarína,Lucia,Eva,Martina,Monika,Ivana,Veronika,Simona,Andrea,Petra,Barbora,Dominika,Ľubica,Alžbeta,Soňa}'::text[]
  WHEN 'cz_m' THEN '{Jiří,Jan,Petr,Josef,Pavel,Jaroslav,Tomáš,Martin,Miroslav,Zdeněk,Václav,Michal,Karel,Ondřej,Vojtěch,Radek}'::text[]
  WHEN 'cz_f' THEN '{Jana,Marie,Eva,Hana,Anna,Lenka,Kateřina,Lucie,Věra,Alena,Petra,Tereza,Veronika,Markéta,Klára,Michaela}'::text[]
  WHEN 'de_m' THEN '{Thomas,Michael,Andreas,Stefan,Christian,Markus,Jürgen,Klaus,Lukas,Jonas,Felix,Tobias}'::text[]
  WHEN 'de_f' THEN '{Sabine,Claudia,Andrea,Julia,Katrin,Anna,Lena,Sophie,Birgit,Ute,Jana,Monika}'::text[]
  WHEN 'en_m' THEN '{James,John,Robert,David,Daniel,Oliver,George,Harry,Jack,William}'::text[]
  ELSE '{Mary,Emma,Olivia,Sarah,Emily,Jessica,Charlotte,Amelia,Sophie,Grace}'::text[]
  END, r)
$$;

-- Slovak and Czech surnames come as "male|female" pairs (Novák|Nováková).
CREATE FUNCTION pg_temp.last_name(origin text, female boolean, r float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE WHEN female AND strpos(pair, '|') > 0 THEN split_part(pair, '|', 2) ELSE split_part(pair, '|', 1) END
  FROM (SELECT pg_temp.el(CASE origin
    WHEN 'sk' THEN '{Novák|Nováková,Horváth|Horváthová,Kováč|Kováčová,Varga|Vargová,Tóth|Tóthová,Nagy|Nagyová,Baláž|Balážová,Szabó|Szabóová,Molnár|Molnárová,Lukáč|Lukáčová,Kollár|Kollárová,Šimko|Šimková,Oravec|Oravcová,Polák|Poláková,Hudák|Hudáková,Král|Králová,Gajdoš|Gajdošová,Žiak|Žiaková,Ďurica|Ďuricová,Mráz|Mrázová}'::text[]
    WHEN 'cz' THEN '{Novák|Nováková,Svoboda|Svobodová,Novotný|Novotná,Dvořák|Dvořáková,Černý|Černá,Procházka|Procházková,Kučera|Kučerová,Veselý|Veselá,Horák|Horáková,Němec|Němcová,Marek|Marková,Pospíšil|Pospíšilová,Pokorný|Pokorná,Hájek|Hájková,Jelínek|Jelínková,Růžička|Růžičková,Beneš|Benešová,Fiala|Fialová,Sedláček|Sedláčková,Doležal|Doležalová}'::text[]
    WHEN 'de' THEN '{Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Koch,Bauer,Richter,Klein,Wolf,Schröder,Neumann,Schwarz,Zimmermann,Braun,Krüger,Hartmann,Lange,Werner,Krause,Gruber,Huber,Pichler,Weiß}'::text[]
    ELSE '{Smith,Johnson,Williams,Brown,Jones,Taylor,Davies,Evans,Wilson,Thomas,Roberts,Walker,Wright,Robinson,Thompson,O''Connor}'::text[]
    END, r) AS pair) AS chosen
$$;

-- Letters of a name as they appear in an e-mail address: no diacritics,
-- German umlauts spelled out, nothing but a-z.
CREATE FUNCTION pg_temp.mail_letters(name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT regexp_replace(lower(translate(
         replace(replace(replace(replace(replace(name, 'ü', 'ue'), 'ö', 'oe'), 'Ü', 'Ue'), 'Ö', 'Oe'), 'ß', 'ss'),
         'áäčďéěíĺľňóôŕřšťúůýžÁÄČĎÉĚÍĹĽŇÓÔŔŘŠŤÚŮÝŽ',
         'aacdeeillnoorrstuuyzAACDEEILLNOORRSTUUYZ')), '[^a-z]', '', 'g')
$$;

-- Local part of an address the way people pick them; r chooses the pattern,
-- dd is a two-digit number some people add.
CREATE FUNCTION pg_temp.mail_local(first text, last text, r float8, dd text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE WHEN r < 0.35 THEN f || '.' || l
            WHEN r < 0.50 THEN left(f, 1) || '.' || l
            WHEN r < 0.65 THEN f || l || dd
            WHEN r < 0.75 THEN l || '.' || f
            WHEN r < 0.85 THEN f || '_' || l
            ELSE f || '.' || l || dd END
  FROM (SELECT pg_temp.mail_letters(first) AS f, pg_temp.mail_letters(last) AS l) AS letters
$$;

-- Free-mail domains per country. Unknown senders use domains no contact has,
-- so they can never be mistaken for a customer.
CREATE FUNCTION pg_temp.mail_domain(country text, r float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT pg_temp.el(CASE country
  WHEN 'SK' THEN '{gmail.com,gmail.com,azet.sk,centrum.sk,post.sk,zoznam.sk}'::text[]
  WHEN 'CZ' THEN '{seznam.cz,seznam.cz,email.cz,centrum.cz,gmail.com}'::text[]
  WHEN 'DE' THEN '{gmx.de,web.de,t-online.de,gmail.com}'::text[]
  WHEN 'AT' THEN '{gmx.at,aon.at,gmail.com}'::text[]
  ELSE '{yahoo.com,icloud.com,protonmail.com,hotmail.com}'::text[]
  END, r)
$$;

-- Employers of business customers, as "name|mail domain".
CREATE FUNCTION pg_temp.company(country text, r float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT pg_temp.el(CASE country
  WHEN 'SK' THEN '{Tatra Logistik s.r.o.|tatralogistik.sk,Dunaj Stav a.s.|dunajstav.sk,Kovo Trnava s.r.o.|kovotrnava.sk,Zelená Pekáreň s.r.o.|zelenapekaren.sk,Považská Energetika a.s.|pe-energetika.sk,Slnečné Okná s.r.o.|slnecneokna.sk}'::text[]
  WHEN 'CZ' THEN '{Morava Trans s.r.o.|moravatrans.cz,Brněnské strojírny a.s.|brnenskestrojirny.cz,Vltava Software s.r.o.|vltavasoft.cz,Pivovar U Lípy s.r.o.|pivovarulipy.cz}'::text[]
  WHEN 'DE' THEN '{Hofer & Partner GmbH|hofer-partner.de,Bergmann Logistik GmbH|bergmann-logistik.de,Nordlicht Medien AG|nordlicht-medien.de}'::text[]
  ELSE '{Alpen Reisen GmbH|alpenreisen.at,Donau Consulting KG|donau-consulting.at}'::text[]
  END, r)
$$;

CREATE FUNCTION pg_temp.address(country text, r_street float8, house text, r_city float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE country
  WHEN 'SK' THEN pg_temp.el('{Hlavná,Obchodná,Mierová,Štúrova,Hviezdoslavova,Kukučínova,Palisády,Záhradnícka,Račianska,Jesenského}'::text[], r_street)
    || ' ' || house || ', ' || pg_temp.el('{811 01 Bratislava,821 08 Bratislava,040 01 Košice,010 01 Žilina,080 01 Prešov,974 01 Banská Bystrica,917 01 Trnava,949 01 Nitra,911 01 Trenčín}'::text[], r_city)
  WHEN 'CZ' THEN pg_temp.el('{Masarykova,Husova,Palackého,Nádražní,Komenského,Smetanova,Jiráskova,Tyršova}'::text[], r_street)
    || ' ' || house || ', ' || pg_temp.el('{110 00 Praha 1,130 00 Praha 3,602 00 Brno,702 00 Ostrava,301 00 Plzeň,779 00 Olomouc,370 01 České Budějovice}'::text[], r_city) || ', Czech Republic'
  WHEN 'DE' THEN pg_temp.el('{Hauptstraße,Bahnhofstraße,Gartenstraße,Schulstraße,Bergstraße,Lindenstraße}'::text[], r_street)
    || ' ' || house || ', ' || pg_temp.el('{10115 Berlin,80331 München,20095 Hamburg,50667 Köln,60311 Frankfurt am Main,01067 Dresden}'::text[], r_city) || ', Germany'
  ELSE pg_temp.el('{Hauptplatz,Mariahilfer Straße,Landstraße,Herrengasse}'::text[], r_street)
    || ' ' || house || ', ' || pg_temp.el('{1010 Wien,8010 Graz,4020 Linz,5020 Salzburg}'::text[], r_city) || ', Austria'
  END
$$;

-- Mobile numbers of contacts in E.164. unique6 is distinct per contact, so no
-- two contacts share a number. Prefixes 912 and 919 are kept for strangers.
CREATE FUNCTION pg_temp.contact_phone(country text, r float8, unique6 text, extra text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE country
  WHEN 'SK' THEN '+421' || pg_temp.el('{901,902,903,904,905,906,907,908,910,911,914,915,916,917,918,940,944,948,949,950}'::text[], r) || unique6
  WHEN 'CZ' THEN '+420' || pg_temp.el('{601,602,603,604,605,606,607,608,702,720,721,723,724,725,731,732,733,736,737,739,773,775,776,777}'::text[], r) || unique6
  WHEN 'DE' THEN '+49' || pg_temp.el('{151,152,157,160,170,171,172,176}'::text[], r) || extra || unique6
  ELSE '+43' || pg_temp.el('{650,660,664,676,699}'::text[], r) || '1' || unique6
  END
$$;

-- The same number the way people and switches write it. Slovak numbers get
-- the national notations too (with gdpr.default_phone_region = SK they parse
-- back to the same E.164); foreign ones only international ones.
--   0 +421 905 123 456   1 00421905123456   2 0905/123-456   3 (0905) 123456
--   4 0905 123 456       5 +421905123456
CREATE FUNCTION pg_temp.phone_as(e164 text, style int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE
  WHEN e164 LIKE '+421%' AND length(e164) = 13 THEN
    CASE style
      WHEN 0 THEN '+421 ' || substr(e164, 5, 3) || ' ' || substr(e164, 8, 3) || ' ' || substr(e164, 11, 3)
      WHEN 1 THEN '00' || substr(e164, 2)
      WHEN 2 THEN '0' || substr(e164, 5, 3) || '/' || substr(e164, 8, 3) || '-' || substr(e164, 11, 3)
      WHEN 3 THEN '(0' || substr(e164, 5, 3) || ') ' || substr(e164, 8)
      WHEN 4 THEN '0' || substr(e164, 5, 3) || ' ' || substr(e164, 8, 3) || ' ' || substr(e164, 11, 3)
      ELSE e164 END
  WHEN e164 LIKE '+42%' THEN  -- three-digit country code: +420 602 123 456
    CASE style % 3
      WHEN 0 THEN substr(e164, 1, 4) || ' ' || substr(e164, 5, 3) || ' ' || substr(e164, 8, 3) || ' ' || substr(e164, 11)
      WHEN 1 THEN '00' || substr(e164, 2)
      ELSE e164 END
  ELSE  -- two-digit country code: +49 151 23456789, +43 664 1234567, +44 7700 900123
    CASE style % 3
      WHEN 0 THEN substr(e164, 1, 3) || ' ' || CASE WHEN e164 LIKE '+44%' THEN substr(e164, 4, 4) || ' ' || substr(e164, 8)
                                                    ELSE substr(e164, 4, 3) || ' ' || substr(e164, 7) END
      WHEN 1 THEN '00' || substr(e164, 2)
      ELSE e164 END
  END
$$;

-- Notation of a customer's number: mostly the five common ones, some E.164.
CREATE FUNCTION pg_temp.phone_style(r float8) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN r < 0.22 THEN 0 WHEN r < 0.38 THEN 1 WHEN r < 0.56 THEN 2
                    WHEN r < 0.70 THEN 3 WHEN r < 0.90 THEN 4 ELSE 5 END $$;

-- An address as someone types it: 0..5 as stored, 6 lower, 7 UPPER, 8 Capitalised.
CREATE FUNCTION pg_temp.recase(email text, style int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE style
  WHEN 6 THEN lower(email)
  WHEN 7 THEN upper(email)
  WHEN 8 THEN initcap(split_part(email, '@', 1)) || '@' || lower(split_part(email, '@', 2))
  ELSE email END
$$;

-- IBAN with its ISO 13616 check digits (mod 97) computed, not made up.
CREATE FUNCTION pg_temp.iban(country text, bban text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT country || lpad((98 - (bban || (ascii(substr(country, 1, 1)) - 55)::text
                                   || (ascii(substr(country, 2, 1)) - 55)::text || '00')::numeric % 97)::text, 2, '0')
       || bban
$$;

-- A person's bank account: country from the phone number, digits from seq.
CREATE FUNCTION pg_temp.account_iban(seq bigint, e164 text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT CASE
  WHEN e164 LIKE '+420%' THEN pg_temp.iban('CZ', pg_temp.el('{0100,0800,0300,2010,0600,5500}'::text[], pg_temp.rnd(seq, 901))
                                               || '000000' || pg_temp.digits(seq, 902, 10))
  WHEN e164 LIKE '+49%' THEN pg_temp.iban('DE', pg_temp.el('{10070000,20040000,50010517,37040044,70150000}'::text[], pg_temp.rnd(seq, 901))
                                              || pg_temp.digits(seq, 902, 10))
  WHEN e164 LIKE '+43%' THEN pg_temp.iban('AT', pg_temp.el('{12000,20111,32000,14000}'::text[], pg_temp.rnd(seq, 901))
                                              || pg_temp.digits(seq, 902, 11))
  ELSE pg_temp.iban('SK', pg_temp.el('{0200,0900,1100,7500,5600,8360}'::text[], pg_temp.rnd(seq, 901))
                          || CASE WHEN pg_temp.rnd(seq, 903) < 0.8 THEN '000000' ELSE pg_temp.digits(seq, 904, 6) END
                          || pg_temp.digits(seq, 902, 10))
  END
$$;

-- Printed IBAN: mostly in groups of four, as on a bank card, else compact.
CREATE FUNCTION pg_temp.iban_as(iban text, r float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN r < 0.7 THEN rtrim(regexp_replace(iban, '(.{4})', '\1 ', 'g')) ELSE iban END $$;

-- Call transcripts. Arguments: 1 customer's full name, 2 first name, 3 e-mail
-- as said, 4 phone as said, 5 IBAN, 6 agent's first name, 7 a third person's
-- name, 8 the third person's phone.
CREATE FUNCTION pg_temp.transcript(topic int, name text, first text, email text, phone text, iban text,
                                   agent text, other_name text, other_phone text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT format(CASE topic
  WHEN 0 THEN E'Agent: Good morning, DemoTel customer care, %6$s speaking. How can I help?\nCustomer: Hi, this is %1$s. I got a new phone, please note my number %4$s.\nAgent: Of course. Can you confirm the e-mail on your account?\nCustomer: Sure, it is %3$s.\nAgent: Thank you, %2$s, the number is saved.'
  WHEN 1 THEN E'Agent: DemoTel, %6$s speaking, good afternoon.\nCustomer: Hello, %1$s here. My last invoice is twice as high as usual.\nAgent: I can see roaming charges from last month. Shall I send the breakdown to %3$s?\nCustomer: Yes please. And call me back on %4$s when you know more.\nAgent: Will do.'
  WHEN 2 THEN E'Agent: Customer care, %6$s speaking.\nCustomer: Good morning, my name is %1$s. You promised me a refund for the outage.\nAgent: Yes, I see it. Which account should we send it to?\nCustomer: %5$s, it is in my name.\nAgent: Thank you. You will get a confirmation at %3$s.'
  WHEN 3 THEN E'Agent: DemoTel technical support, %6$s.\nCustomer: Hello, %1$s. My internet has not worked since yesterday.\nAgent: Let me check the line for %4$s... there is an outage in your area. I will text you when it is fixed.\nCustomer: Please e-mail me too, %3$s.'
  WHEN 4 THEN E'Agent: DemoTel, %6$s speaking.\nCustomer: Hi, it is %1$s. Our family plan should also cover %7$s.\nAgent: Do you have a number for %7$s?\nCustomer: Yes, %8$s. Mine is still %4$s.\nAgent: Thank you, I have added it.'
  WHEN 5 THEN E'Agent: DemoTel, %6$s speaking.\nCustomer: Hi, I missed your call. This is %1$s.\nAgent: Yes, we wanted to confirm your new tariff. Everything is fine now, thank you.\nCustomer: Great, bye.'
  WHEN 10 THEN E'Agent: DemoTel, %6$s speaking.\nCaller: Hello, I am not your customer yet, my name is %1$s. I would like an offer for a family plan.\nAgent: Gladly. Where can I send it?\nCaller: To %3$s, or call me on %4$s.'
  WHEN 11 THEN E'Agent: DemoTel, %6$s speaking.\nCaller: Hi, I am calling about the bill of my mother, %7$s.\nAgent: I am sorry, I can only discuss the account with the holder. Please ask her to call us from %8$s.\nCaller: OK, thanks.'
  WHEN 20 THEN E'Operátor: Dobrý deň, zákaznícka linka DemoTel, volám sa %6$s.\nZákazník: Dobrý deň, tu %1$s. Chcem si zriadiť inkaso z účtu %5$s.\nOperátor: Rozumiem. Potvrďte mi prosím e-mail, %3$s?\nZákazník: Áno, správne. Keby niečo, volajte na %4$s.'
  WHEN 21 THEN E'Operátor: DemoTel, pri telefóne %6$s, dobrý deň.\nZákazník: Dobrý deň, volám sa %1$s, od včera mi nejde internet.\nOperátor: Overím linku %4$s... v oblasti je porucha, pošleme vám SMS.\nZákazník: Ďakujem, pošlite to aj na %3$s.'
  WHEN 30 THEN E'Operátor: Dobrý den, zákaznická linka DemoTel, u telefonu %6$s.\nZákazník: Dobrý den, tady %1$s. Potřebuji změnit e-mail na %3$s.\nOperátor: Dobře. A telefon %4$s platí?\nZákazník: Ano, platí.'
  ELSE E'Operátor: DemoTel, %6$s, dobrý den.\nZákazník: Dobrý den, tady %1$s. Slíbili jste mi vrácení peněz za výpadek, na účet %5$s.\nOperátor: Ano, vidím to. Potvrzení pošleme na %3$s.'
  END, name, first, email, phone, iban, agent, other_name, other_phone)
$$;

-- Ticket subjects and mails; same arguments as transcript(). Kinds 0..8 are
-- the requester's first mail per topic, 10..13 agent replies, 20..23 the
-- requester's follow-ups.
CREATE FUNCTION pg_temp.ticket_subject(topic int, name text, phone text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT format(CASE topic
  WHEN 0 THEN 'New phone number %2$s'
  WHEN 1 THEN 'Invoice much higher than usual'
  WHEN 2 THEN 'Refund for the outage'
  WHEN 3 THEN 'Cancel contract of %1$s'
  WHEN 4 THEN 'No internet since yesterday'
  WHEN 5 THEN 'Request to delete my personal data'
  WHEN 6 THEN 'Zmena telefónneho čísla'
  WHEN 7 THEN 'Dotaz k vyúčtování'
  ELSE 'Question about your tariffs'
  END, name, phone)
$$;

CREATE FUNCTION pg_temp.mail_body(kind int, name text, first text, email text, phone text, iban text,
                                  agent text, other_name text, other_phone text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
SELECT format(CASE kind
  WHEN 0 THEN E'Hello,\n\nplease note my new phone number %4$s. My e-mail stays %3$s.\n\nThank you,\n%1$s'
  WHEN 1 THEN E'Dear DemoTel,\n\nmy last invoice is much higher than usual although I made no calls abroad. Please check it and refund the difference to %5$s.\n\nRegards,\n%1$s\n%4$s'
  WHEN 2 THEN E'Hello,\n\nyou promised me a refund for last week''s outage. My account: %5$s (holder %1$s).\n\nBest regards,\n%2$s'
  WHEN 3 THEN E'Hi,\n\nI am moving abroad and want to cancel my contract. You can reach me at %4$s or %3$s.\n\n%1$s'
  WHEN 4 THEN E'Hello,\n\nthe internet has not worked since yesterday evening, the router blinks red. Please call me at %4$s.\n\n%2$s\n%3$s'
  WHEN 5 THEN E'Dear Sir or Madam,\n\nunder Article 17 GDPR I ask you to erase all my personal data, including the recordings of my calls from %4$s. Please confirm to %3$s.\n\n%1$s'
  WHEN 6 THEN E'Dobrý deň,\n\nprosím o zmenu telefónneho čísla na %4$s. E-mail ostáva %3$s.\n\nS pozdravom\n%1$s'
  WHEN 7 THEN E'Dobrý den,\n\nve vyúčtování mám poplatek, kterému nerozumím. Vraťte mi prosím peníze na účet %5$s.\n\nS pozdravem\n%1$s\ntel. %4$s'
  WHEN 8 THEN E'Hello,\n\nI am not your customer yet. A friend, %7$s (%8$s), recommended you. Could you send me your tariffs?\n\nThanks,\n%1$s\n%4$s'
  WHEN 10 THEN E'Dear %1$s,\n\nthank you for your message. We have checked the account of %3$s and will get back to you within two working days.\n\nKind regards,\n%6$s\nDemoTel customer care'
  WHEN 11 THEN E'Hello %2$s,\n\nwe tried to call you at %4$s but could not reach you. Please call us back at 0850 123 456.\n\nBest regards,\n%6$s'
  WHEN 12 THEN E'Dear %1$s,\n\nthe amount was sent to %5$s today and should arrive within five working days. The confirmation goes to %3$s.\n\n%6$s, DemoTel'
  WHEN 13 THEN E'Dobrý deň,\n\nvašu požiadavku sme vyriešili, potvrdenie sme poslali na %3$s.\n\nS pozdravom\n%6$s\nDemoTel'
  WHEN 20 THEN E'Thanks. Just to be sure: my number is %4$s and the e-mail %3$s.\n\n%2$s'
  WHEN 21 THEN E'Hello, any news? I am still waiting.\n\n%1$s\ntel. %4$s\n%3$s'
  WHEN 22 THEN E'Sorry, I made a mistake, the correct account is %5$s.\n\n%1$s'
  ELSE E'Thank you very much!\n\nSent from my iPhone'
  END, name, first, email, phone, iban, agent, other_name, other_phone)
$$;

-------------------------------------------------------------------------------
-- Drop secondary indexes and foreign keys of the demo tables while loading;
-- their definitions are kept and replayed at the end.
-------------------------------------------------------------------------------
CREATE TEMP TABLE demo_deferred_ddl ON COMMIT DROP AS
SELECT 1 AS step, format('DROP INDEX %s', i.indexrelid::regclass) AS drop_ddl,
       pg_get_indexdef(i.indexrelid) AS create_ddl
  FROM pg_index AS i
 WHERE i.indrelid IN ('public.contacts'::regclass, 'public.agents'::regclass, 'public.calls'::regclass,
                      'public.recordings'::regclass, 'public.tickets'::regclass, 'public.ticket_messages'::regclass)
   AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
UNION ALL
SELECT 2, format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint AS c
 WHERE c.contype = 'f'
   AND c.conrelid IN ('public.contacts'::regclass, 'public.agents'::regclass, 'public.calls'::regclass,
                      'public.recordings'::regclass, 'public.tickets'::regclass, 'public.ticket_messages'::regclass);

DO $$
DECLARE
  ddl text;
BEGIN
  FOR ddl IN SELECT drop_ddl FROM demo_deferred_ddl ORDER BY step DESC, drop_ddl LOOP
    EXECUTE ddl;
  END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Contacts. Ids follow creation time (oldest first), like a real table's.
-- Ages (seconds before the anchor; 94,608,000 s = 3 x 365 days, the span of
-- all the data) lean old: a customer base that grew.
-------------------------------------------------------------------------------
CREATE TEMP TABLE demo_contact ON COMMIT DROP AS
SELECT n, country, origin, female, age_s,
       pg_temp.first_name(origin, female, pg_temp.rnd(n, 104)) AS first,
       pg_temp.last_name(origin, female, pg_temp.rnd(n, 105)) AS last
  FROM (SELECT n,
               CASE WHEN rc < 0.70 THEN 'SK' WHEN rc < 0.88 THEN 'CZ' WHEN rc < 0.95 THEN 'DE' ELSE 'AT' END AS country,
               pg_temp.rnd(n, 102) AS ro,
               pg_temp.rnd(n, 103) < 0.5 AS female,
               86400 + floor((94608000 - 86400) * sqrt(pg_temp.rnd(n, 106)))::bigint AS age_s
          FROM generate_series(1, :demo_n_contacts) AS g (n),
               LATERAL (SELECT pg_temp.rnd(n, 101) AS rc) AS r) AS b,
       LATERAL (SELECT CASE WHEN country = 'SK' THEN CASE WHEN ro < 0.06 THEN 'cz' WHEN ro < 0.11 THEN 'en' ELSE 'sk' END
                            WHEN country = 'CZ' THEN CASE WHEN ro < 0.06 THEN 'sk' WHEN ro < 0.10 THEN 'en' ELSE 'cz' END
                            ELSE CASE WHEN ro < 0.10 THEN 'en' ELSE 'de' END END AS origin) AS o;

INSERT INTO contacts (id, name, email, phone, company, address, created_at)
SELECT id, first || ' ' || last,
       -- the rare second "jana.novakova@gmail.com" becomes "jana.novakova.2@gmail.com"
       CASE WHEN dup = 1 THEN email ELSE split_part(email, '@', 1) || '.' || dup || '@' || split_part(email, '@', 2) END,
       phone, split_part(company, '|', 1), address,
       :'demo_anchor'::timestamptz - age_s * interval '1 second'
  FROM (SELECT c.*, row_number() OVER (PARTITION BY lower(email) ORDER BY id) AS dup
          FROM (SELECT row_number() OVER (ORDER BY age_s DESC, n) AS id, n, first, last, age_s, company,
                       pg_temp.contact_phone(country, pg_temp.rnd(n, 110),
                                             lpad(((n * 7919 + 123457) % 1000000)::text, 6, '0'),
                                             pg_temp.digits(n, 111, 2)) AS phone,
                       CASE WHEN pg_temp.rnd(n, 112) < 0.05 THEN NULL
                            ELSE pg_temp.address(country, pg_temp.rnd(n, 113), (1 + pg_temp.pick(n, 114, 120))::text,
                                                 pg_temp.rnd(n, 115)) END AS address,
                       -- contacts.email: mostly lower case, some as the customer capitalised it
                       CASE WHEN rcase < 0.88 THEN lower(local) || '@' || domain
                            WHEN rcase < 0.95 THEN initcap(local) || '@' || domain
                            ELSE local || '@' || upper(left(domain, 1)) || substr(domain, 2) END AS email
                  FROM (SELECT d.*, pg_temp.rnd(n, 116) AS rcase,
                               pg_temp.mail_local(first, last, pg_temp.rnd(n, 117), pg_temp.digits(n, 118, 2)) AS local,
                               CASE WHEN company IS NOT NULL AND pg_temp.rnd(n, 119) < 0.7 THEN split_part(company, '|', 2)
                                    ELSE pg_temp.mail_domain(country, pg_temp.rnd(n, 120)) END AS domain
                          FROM (SELECT dc.*,
                                       CASE WHEN pg_temp.rnd(n, 121) < 0.3 THEN pg_temp.company(country, pg_temp.rnd(n, 122)) END AS company
                                  FROM demo_contact AS dc) AS d) AS e) AS c) AS u;

-------------------------------------------------------------------------------
-- Agents: staff of DemoTel, one direct line each.
-------------------------------------------------------------------------------
INSERT INTO agents (id, name, email)
SELECT n, first || ' ' || last, pg_temp.mail_letters(first) || '.' || pg_temp.mail_letters(last) || '@demotel.sk'
  FROM (SELECT n, pg_temp.first_name(origin, female, pg_temp.rnd(n, 152)) AS first,
               pg_temp.last_name(origin, female, pg_temp.rnd(n, 153)) AS last
          FROM (SELECT n, pg_temp.rnd(n, 151) < 0.6 AS female,
                       CASE WHEN pg_temp.rnd(n, 150) < 0.75 THEN 'sk' ELSE 'cz' END AS origin
                  FROM generate_series(1, :demo_n_agents) AS g (n)) AS a) AS b;
-- Two agents with the same name would share an address: number the later ones.
UPDATE agents SET email = split_part(email, '@', 1) || '.' || id || '@demotel.sk'
 WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY email ORDER BY id) AS k FROM agents) AS d WHERE k > 1);


-------------------------------------------------------------------------------
-- Calls and tickets first get their ids, contacts and ages; ids follow time,
-- like in a real table. A customer's calls and tickets fall between their
-- sign-up and (at least) an hour before the anchor. 8 % of the calls come from
-- numbers nobody knows and 7 % of the tickets from unknown senders
-- (contact_id NULL).
--
-- Performance note for the big statements below: helpers are inlined by the
-- planner only when their arguments are plain columns, so the statements
-- compute arguments in layers fenced with OFFSET 0.
-------------------------------------------------------------------------------
CREATE TEMP TABLE demo_call ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY age_s DESC, n) AS id, n, contact_id, age_s
  FROM (SELECT g.n, k.contact_id,
               7200 + floor((coalesce(extract(epoch FROM :'demo_anchor'::timestamptz - ct.created_at)::bigint,
                                      94608000) - 7200) * pg_temp.rnd(g.n, 205))::bigint AS age_s
          FROM generate_series(1, :demo_n_calls) AS g (n)
         CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.rnd(g.n, 201) >= 0.08
                                         THEN 1 + pg_temp.pick(g.n, 202, :demo_n_contacts) END AS contact_id) AS k
          LEFT JOIN contacts AS ct ON ct.id = k.contact_id) AS s;

CREATE TEMP TABLE demo_ticket_base ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY age_s DESC, n) AS id, n, contact_id, age_s
  FROM (SELECT g.n, k.contact_id,
               3600 + floor((coalesce(extract(epoch FROM :'demo_anchor'::timestamptz - ct.created_at)::bigint,
                                      94608000) - 3600) * pg_temp.rnd(g.n, 405))::bigint AS age_s
          FROM generate_series(1, :demo_n_tickets) AS g (n)
         CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.rnd(g.n, 401) >= 0.07
                                         THEN 1 + pg_temp.pick(g.n, 402, :demo_n_contacts) END AS contact_id) AS k
          LEFT JOIN contacts AS ct ON ct.id = k.contact_id) AS s;

-- Strangers: the person behind each unknown call (seq -n) and unknown sender
-- (seq -10^12 - n). Their free-mail domains and phone prefixes are never
-- given to contacts (mail_domain, contact_phone), so they match no contact.
CREATE TEMP TABLE demo_stranger ON COMMIT DROP AS
SELECT seq, first || ' ' || last AS name,
       pg_temp.mail_local(first, last, pg_temp.rnd(seq, 504), pg_temp.digits(seq, 505, 2))
         || '@' || pg_temp.mail_domain('stranger', pg_temp.rnd(seq, 506)) AS email,
       CASE WHEN pg_temp.rnd(seq, 507) < 0.8
            THEN '+421' || pg_temp.el('{912,919}'::text[], pg_temp.rnd(seq, 508)) || pg_temp.digits(seq, 509, 6)
            ELSE '+447700900' || pg_temp.digits(seq, 509, 3) END AS phone  -- UK range reserved for drama
  FROM (SELECT seq, pg_temp.first_name(origin, female, pg_temp.rnd(seq, 502)) AS first,
               pg_temp.last_name(origin, female, pg_temp.rnd(seq, 503)) AS last
          FROM (SELECT seq, pg_temp.el('{sk,sk,cz,de,en}'::text[], pg_temp.rnd(seq, 500)) AS origin,
                       pg_temp.rnd(seq, 501) < 0.5 AS female
                  FROM (SELECT -n AS seq FROM demo_call WHERE contact_id IS NULL
                        UNION ALL
                        SELECT -1000000000000 - n FROM demo_ticket_base WHERE contact_id IS NULL) AS u
                OFFSET 0) AS o
        OFFSET 0) AS p;

-------------------------------------------------------------------------------
-- Calls: inbound ones (75 %, all of the unknown) show the customer as caller,
-- outbound ones the agent's direct line. 4 % of the inbound calls are missed:
-- no agent, no duration, no transcript.
-------------------------------------------------------------------------------
INSERT INTO calls (id, contact_id, agent_id, caller, callee, started_at, duration_s, cost, transcript)
SELECT id, contact_id, agent_id,
       CASE WHEN inbound THEN pg_temp.phone_as(phone, style_switch)
            ELSE '+421 2 5010 1' || lpad(agent_id::text, 3, '0') END,
       CASE WHEN inbound THEN pg_temp.el('{+421 2 5010 1000,0250101000,02/5010 1000}'::text[], r_hotline)
            ELSE pg_temp.phone_as(phone, style_switch) END,
       :'demo_anchor'::timestamptz - age_s * interval '1 second',
       duration_s,
       ceil(duration_s / 60.0) * pg_temp.el('{0.09,0.12,0.15,0.20}'::text[], r_rate)::numeric,
       CASE WHEN agent_id IS NOT NULL THEN
         pg_temp.transcript(topic, name, split_part(name, ' ', 1), pg_temp.recase(email, email_case),
                            pg_temp.phone_as(phone, style_said), pg_temp.iban_as(iban, r_iban),
                            split_part(agent_name, ' ', 1), other_name, pg_temp.phone_as(other_phone, style_other))
       END
  FROM (SELECT t.*, CASE WHEN topic IN (2, 20, 31) THEN pg_temp.account_iban(iban_seq, phone) END AS iban
          FROM (SELECT w.*,
                       CASE WHEN agent_id IS NULL THEN 0 ELSE 20 + floor(1780 * pg_temp.rnd(n, 231) * pg_temp.rnd(n, 231))::int END AS duration_s,
                       CASE WHEN contact_id IS NULL THEN 10 + pg_temp.pick(n, 220, 2)::int
                            WHEN phone LIKE '+421%' AND pg_temp.rnd(n, 221) < 0.35 THEN 20 + pg_temp.pick(n, 222, 2)::int
                            WHEN phone LIKE '+420%' AND pg_temp.rnd(n, 221) < 0.35 THEN 30 + pg_temp.pick(n, 222, 2)::int
                            ELSE pg_temp.pick(n, 223, 6)::int END AS topic,
                       pg_temp.phone_style(pg_temp.rnd(n, 210)) AS style_switch,
                       pg_temp.phone_style(pg_temp.rnd(n, 214)) AS style_said,
                       pg_temp.phone_style(pg_temp.rnd(n, 216)) AS style_other,
                       pg_temp.pick(n, 213, 9)::int AS email_case,
                       pg_temp.rnd(n, 211) AS r_hotline, pg_temp.rnd(n, 212) AS r_rate, pg_temp.rnd(n, 215) AS r_iban,
                       coalesce(contact_id, -n) AS iban_seq
                  FROM (SELECT m.id, m.n, m.contact_id, m.age_s, d.inbound, d.agent_id, a.name AS agent_name,
                               coalesce(ct.name, x.name) AS name, coalesce(ct.email, x.email) AS email,
                               coalesce(ct.phone, x.phone) AS phone, o.name AS other_name, o.phone AS other_phone
                          FROM demo_call AS m
                         CROSS JOIN LATERAL (SELECT inbound,
                                                    CASE WHEN inbound AND pg_temp.rnd(m.n, 240) < 0.04 THEN NULL
                                                         ELSE 1 + pg_temp.pick(m.n, 241, :demo_n_agents) END AS agent_id
                                               FROM (SELECT m.contact_id IS NULL OR pg_temp.rnd(m.n, 230) < 0.75 AS inbound) AS i) AS d
                          LEFT JOIN contacts AS ct ON ct.id = m.contact_id
                          LEFT JOIN demo_stranger AS x ON x.seq = -m.n AND m.contact_id IS NULL
                          LEFT JOIN agents AS a ON a.id = d.agent_id
                          JOIN contacts AS o ON o.id = 1 + pg_temp.pick(m.n, 242, :demo_n_contacts)
                        OFFSET 0) AS w
                OFFSET 0) AS t
        OFFSET 0) AS u;

-------------------------------------------------------------------------------
-- Recordings of 31 % of the answered calls: a few hundred bytes to 1.2 KB with
-- the container's magic bytes in front (real audio would not fit a demo).
-------------------------------------------------------------------------------
INSERT INTO recordings (id, call_id, audio, format, created_at)
SELECT row_number() OVER (ORDER BY c.id), c.id,
       decode(CASE f.format WHEN 'wav' THEN '524946460000000057415645666d7420'   -- RIFF....WAVEfmt
                            WHEN 'mp3' THEN '49443303000000000000'               -- ID3 tag
                            ELSE '4f676753000200000000000000000000' END, 'hex')  -- OggS page
         || decode(repeat(md5(c.id::text || ':audio'), 12 + pg_temp.pick(c.id, 301, 64)::int), 'hex'),
       f.format,
       c.started_at + (c.duration_s + 5 + pg_temp.pick(c.id, 302, 60)) * interval '1 second'
  FROM calls AS c
 CROSS JOIN LATERAL (SELECT pg_temp.el('{wav,wav,wav,mp3,mp3,ogg}'::text[], pg_temp.rnd(c.id, 303)) AS format) AS f
 WHERE c.duration_s > 0 AND pg_temp.rnd(c.id, 300) < 0.31;

-------------------------------------------------------------------------------
-- Tickets. The requester's address is mostly the contact's own, sometimes
-- typed in another case. Old tickets are closed.
-------------------------------------------------------------------------------
CREATE TEMP TABLE demo_ticket ON COMMIT DROP AS
SELECT s.*,
       CASE WHEN contact_id IS NULL THEN pg_temp.el('{8,8,0,1,3,4}'::text[], pg_temp.rnd(n, 406))::int
            WHEN phone LIKE '+421%' AND pg_temp.rnd(n, 407) < 0.3 THEN 6
            WHEN phone LIKE '+420%' AND pg_temp.rnd(n, 407) < 0.3 THEN 7
            ELSE pg_temp.pick(n, 408, 6)::int END AS topic,
       1 + pg_temp.pick(n, 409, :demo_n_agents) AS agent_id,
       CASE WHEN contact_id IS NULL OR pg_temp.rnd(n, 410) < 0.85 THEN email
            ELSE pg_temp.recase(email, 6 + pg_temp.pick(n, 411, 3)::int) END AS requester_email
  FROM (SELECT b.id, b.n, b.contact_id, b.age_s,
               coalesce(ct.name, x.name) AS name, coalesce(ct.email, x.email) AS email,
               coalesce(ct.phone, x.phone) AS phone
          FROM demo_ticket_base AS b
          LEFT JOIN contacts AS ct ON ct.id = b.contact_id
          LEFT JOIN demo_stranger AS x ON x.seq = -1000000000000 - b.n AND b.contact_id IS NULL
        OFFSET 0) AS s;

INSERT INTO tickets (id, contact_id, requester_email, subject, status, created_at)
SELECT id, contact_id, requester_email,
       pg_temp.ticket_subject(topic, name, pg_temp.phone_as(phone, pg_temp.phone_style(pg_temp.rnd(n, 420)))),
       CASE WHEN age_s < 2 * 86400 THEN pg_temp.el('{open,open,pending}'::text[], pg_temp.rnd(n, 421))
            WHEN age_s < 14 * 86400 THEN pg_temp.el('{open,pending,solved,solved}'::text[], pg_temp.rnd(n, 421))
            ELSE pg_temp.el('{closed,closed,closed,solved}'::text[], pg_temp.rnd(n, 421)) END,
       :'demo_anchor'::timestamptz - age_s * interval '1 second'
  FROM demo_ticket
 ORDER BY id;

-------------------------------------------------------------------------------
-- Ticket messages: 1..7 per ticket (4 on average), the requester's first
-- mail, then agent replies and the requester's follow-ups in turn, minutes to
-- two days apart and never later than the anchor. Ids follow time.
-------------------------------------------------------------------------------
CREATE TEMP TABLE demo_message ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY age_s DESC, ticket_id, i) AS id, s.*
  FROM (SELECT t.id AS ticket_id, t.n, g.i, t.n * 8 + g.i AS seq,
               t.age_s - (g.i - 1) * least(600 + pg_temp.pick(t.n, 431, 172800), t.age_s / (k.cnt + 1)) AS age_s
          FROM demo_ticket_base AS t
         CROSS JOIN LATERAL (SELECT 1 + pg_temp.pick(t.n, 430, 7)::int AS cnt) AS k
         CROSS JOIN LATERAL generate_series(1, k.cnt) AS g (i)) AS s;

INSERT INTO ticket_messages (id, ticket_id, author_email, body, created_at)
SELECT id, ticket_id, author_email,
       pg_temp.mail_body(kind, name, split_part(name, ' ', 1), pg_temp.recase(email, email_case),
                         pg_temp.phone_as(phone, style_said), pg_temp.iban_as(iban, r_iban),
                         split_part(agent_name, ' ', 1), other_name, pg_temp.phone_as(other_phone, style_other)),
       :'demo_anchor'::timestamptz - age_s * interval '1 second'
  FROM (SELECT v.*, CASE WHEN kind IN (1, 2, 7, 12, 22) THEN pg_temp.account_iban(iban_seq, phone) END AS iban
          FROM (SELECT w.*,
                       CASE WHEN i % 2 = 0 THEN agent_email
                            WHEN pg_temp.rnd(seq, 440) < 0.9 THEN requester_email
                            ELSE lower(requester_email) END AS author_email,
                       CASE WHEN i = 1 THEN topic
                            WHEN i % 2 = 0 THEN CASE WHEN topic = 6 AND pg_temp.rnd(seq, 441) < 0.6 THEN 13
                                                     ELSE 10 + pg_temp.pick(seq, 442, 3)::int END
                            ELSE 20 + pg_temp.pick(seq, 443, 4)::int END AS kind,
                       pg_temp.pick(seq, 444, 9)::int AS email_case,
                       pg_temp.phone_style(pg_temp.rnd(seq, 445)) AS style_said,
                       pg_temp.phone_style(pg_temp.rnd(seq, 447)) AS style_other,
                       pg_temp.rnd(seq, 446) AS r_iban,
                       coalesce(contact_id, -1000000000000 - n) AS iban_seq
                  FROM (SELECT m.id, m.ticket_id, m.n, m.i, m.seq, m.age_s, t.contact_id, t.topic,
                               t.name, t.email, t.phone, t.requester_email,
                               a.name AS agent_name, a.email AS agent_email, o.name AS other_name, o.phone AS other_phone
                          FROM demo_message AS m
                          JOIN demo_ticket AS t ON t.id = m.ticket_id
                          JOIN agents AS a ON a.id = t.agent_id
                          JOIN contacts AS o ON o.id = 1 + pg_temp.pick(m.n, 448, :demo_n_contacts)
                        OFFSET 0) AS w
                OFFSET 0) AS v
        OFFSET 0) AS u;

-------------------------------------------------------------------------------
-- Indexes and foreign keys back (validated now, in one pass each), sequences
-- past the generated ids, statistics for the planner.
-------------------------------------------------------------------------------
DO $$
DECLARE
  ddl text;
BEGIN
  FOR ddl IN SELECT create_ddl FROM demo_deferred_ddl ORDER BY step, create_ddl LOOP
    EXECUTE ddl;
  END LOOP;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'agents', 'calls', 'recordings', 'tickets', 'ticket_messages'] LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), coalesce(max(id), 0) + 1, false) FROM public.%I',
                   'public.' || t, t);
  END LOOP;
END
$$;

COMMIT;

ANALYZE contacts, agents, calls, recordings, tickets, ticket_messages;
