-- Timings for bench/subject/run.sh, in the database loaded with the demo.
-- Output: one line contacts|calls|messages|find|naive_find|erase|naive_erase|bulk_with|bulk_without|single_with|single_without
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Milliseconds a statement takes.
CREATE FUNCTION pg_temp.ms(statement text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE statement;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE FUNCTION pg_temp.median(v float8[]) RETURNS float8 LANGUAGE sql AS $$
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(v) x $$;

-- People to ask about: contacts that have calls and tickets, spread over the table.
CREATE TEMP TABLE people AS
  SELECT c.id, c.email, c.phone FROM contacts c
   WHERE c.email IS NOT NULL AND c.phone IS NOT NULL
     AND EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = c.id)
     AND EXISTS (SELECT 1 FROM calls k WHERE k.contact_id = c.id)
   ORDER BY hashint8(c.id) LIMIT :runs;

-- The naive SQL a DBA would write: equality on lower(email), LIKE over text.
CREATE FUNCTION pg_temp.naive_find(e text, p text) RETURNS bigint LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM contacts WHERE lower(email) = lower(e) OR phone = p)
       + (SELECT count(*) FROM calls WHERE caller = p OR callee = p OR transcript ILIKE '%' || e || '%')
       + (SELECT count(*) FROM tickets WHERE lower(requester_email) = lower(e) OR subject ILIKE '%' || e || '%')
       + (SELECT count(*) FROM ticket_messages WHERE lower(author_email) = lower(e) OR body ILIKE '%' || e || '%') $$;
CREATE FUNCTION pg_temp.naive_erase(e text, p text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ticket_messages SET body = replace(body, e, '[erased]') WHERE body ILIKE '%' || e || '%';
  DELETE FROM ticket_messages WHERE lower(author_email) = lower(e)
     OR ticket_id IN (SELECT id FROM tickets WHERE lower(requester_email) = lower(e));
  DELETE FROM tickets WHERE lower(requester_email) = lower(e);
  DELETE FROM recordings WHERE call_id IN (SELECT id FROM calls WHERE caller = p OR callee = p);
  UPDATE calls SET caller = '[erased]', callee = '[erased]', transcript = NULL, contact_id = NULL
   WHERE caller = p OR callee = p OR contact_id IN (SELECT id FROM contacts WHERE lower(email) = lower(e));
  DELETE FROM tickets WHERE contact_id IN (SELECT id FROM contacts WHERE lower(email) = lower(e));
  DELETE FROM contacts WHERE lower(email) = lower(e);
END $$;

CREATE TEMP TABLE timings (what text, ms float8);
-- Warm-up, so the first timed run does not pay for loading the catalog cache.
SELECT count(*) FROM gdpr_find((SELECT email FROM people LIMIT 1)) \g /dev/null

DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT * FROM people LOOP
    INSERT INTO timings SELECT 'find', pg_temp.ms(format('SELECT count(*) FROM gdpr_find(%L)', p.email));
    INSERT INTO timings SELECT 'naive_find', pg_temp.ms(format('SELECT pg_temp.naive_find(%L, %L)', p.email, p.phone));
  END LOOP;
END $$;

-- Erasures are rolled back (subtransactions), so every run erases a real person.
DO $$
DECLARE p record; t float8;
BEGIN
  FOR p IN SELECT * FROM people LOOP
    BEGIN
      t := pg_temp.ms(format('SELECT gdpr_erase(%L)', p.email));
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = t::text;
    EXCEPTION WHEN raise_exception THEN
      INSERT INTO timings VALUES ('erase', SQLERRM::float8);
    END;
    BEGIN
      t := pg_temp.ms(format('SELECT pg_temp.naive_erase(%L, %L)', p.email, p.phone));
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = t::text;
    EXCEPTION WHEN raise_exception THEN
      INSERT INTO timings VALUES ('naive_erase', SQLERRM::float8);
    END;
  END LOOP;
END $$;

-- Insert throughput: 20,000 messages, each naming an e-mail and a phone
-- number, with the index trigger and with it disabled (both rolled back).
DO $$
DECLARE t float8; tid bigint := (SELECT min(id) FROM tickets); base bigint := (SELECT max(id) FROM ticket_messages);
  ins text := format('INSERT INTO ticket_messages (id, ticket_id, author_email, body) '
                     'SELECT %s + i, %s, ''bench'' || i || ''@example.com'', '
                     '''Please call me at 0905 '' || lpad((i %% 1000000)::text, 6, ''0'') || '' or write to bench'' || i || ''@example.com'' '
                     'FROM generate_series(1, 20000) i', base, tid);
BEGIN
  BEGIN
    t := pg_temp.ms(ins);
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = t::text;
  EXCEPTION WHEN raise_exception THEN
    INSERT INTO timings VALUES ('insert_with', 20000 / (SQLERRM::float8 / 1000));
  END;
  BEGIN
    ALTER TABLE ticket_messages DISABLE TRIGGER gdpr_subject_index_insert;
    t := pg_temp.ms(ins);
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = t::text;
  EXCEPTION WHEN raise_exception THEN
    INSERT INTO timings VALUES ('insert_without', 20000 / (SQLERRM::float8 / 1000));
  END;
END $$;

-- Single-row inserts (one statement each, as an application writes): 2,000
-- messages, with and without the index (rolled back).
DO $$
DECLARE t0 timestamptz; tid bigint := (SELECT min(id) FROM tickets); base bigint := (SELECT max(id) FROM ticket_messages);
BEGIN
  FOR pass IN 1..2 LOOP
    BEGIN
      IF pass = 2 THEN
        ALTER TABLE ticket_messages DISABLE TRIGGER gdpr_subject_index_insert;
      END IF;
      t0 := clock_timestamp();
      FOR i IN 1..2000 LOOP
        EXECUTE 'INSERT INTO ticket_messages (id, ticket_id, author_email, body) VALUES ($1, $2, $3, $4)'
          USING base + i, tid, 'single' || i || '@example.com', 'Call me at 0905 ' || lpad(i::text, 6, '0') || ', single' || i || '@example.com';
      END LOOP;
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = (2000 / extract(epoch FROM clock_timestamp() - t0))::text;
    EXCEPTION WHEN raise_exception THEN
      INSERT INTO timings VALUES (CASE pass WHEN 1 THEN 'single_with' ELSE 'single_without' END, SQLERRM::float8);
    END;
  END LOOP;
END $$;

SELECT concat_ws('|',
  (SELECT count(*) FROM contacts), (SELECT count(*) FROM calls), (SELECT count(*) FROM ticket_messages),
  (SELECT round(pg_temp.median(array_agg(ms))::numeric, 1) FROM timings WHERE what = 'find'),
  (SELECT round(pg_temp.median(array_agg(ms))::numeric, 1) FROM timings WHERE what = 'naive_find'),
  (SELECT round(pg_temp.median(array_agg(ms))::numeric, 1) FROM timings WHERE what = 'erase'),
  (SELECT round(pg_temp.median(array_agg(ms))::numeric, 1) FROM timings WHERE what = 'naive_erase'),
  (SELECT round(max(ms)) FROM timings WHERE what = 'insert_with'),
  (SELECT round(max(ms)) FROM timings WHERE what = 'insert_without'),
  (SELECT round(max(ms)) FROM timings WHERE what = 'single_with'),
  (SELECT round(max(ms)) FROM timings WHERE what = 'single_without'));
