-- Shape of freshly generated demo data (docs/demo-data.md says what and why):
--
--   psql -X -v scale=1 -d DB -f sql/demo/check.sql
--
-- Prints one line per check and fails (exit code 3 with ON_ERROR_STOP) if any
-- check fails. Run it on data loaded today and not yet touched by erase or
-- retention: it checks counts, ages and notations of the generator's output.
-- It changes no rows: the insert probe at the end is rolled back (the identity
-- sequences move on by one).

\set ON_ERROR_STOP on
\if :{?scale}
\else
  \set scale 1
\endif
SET client_min_messages = warning;

CREATE TEMP TABLE demo_check (seq serial, name text, ok boolean, detail text);

-- Parses the notations of the generator back to E.164 (default region SK).
CREATE FUNCTION pg_temp.e164(notation text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$
SELECT CASE WHEN d LIKE '00%' THEN '+' || substr(d, 3)
            WHEN notation LIKE '+%' THEN '+' || d
            WHEN d LIKE '0%' THEN '+421' || substr(d, 2)
            ELSE NULL END
  FROM (SELECT regexp_replace(notation, '\D', '', 'g') AS d) AS digits
$$;

-- ISO 13616: the rearranged IBAN, letters as 10..35, is 1 modulo 97.
CREATE FUNCTION pg_temp.iban_valid(iban text) RETURNS boolean
  LANGUAGE sql IMMUTABLE
  AS $$
SELECT (string_agg(CASE WHEN c ~ '[A-Z]' THEN (ascii(c) - 55)::text ELSE c END, '' ORDER BY i))::numeric % 97 = 1
  FROM unnest(string_to_array(substr(iban, 5) || substr(iban, 1, 4), NULL)) WITH ORDINALITY AS chars (c, i)
$$;

-- The free-text checks read an evenly spread sample of about 10,000 texts per
-- column, so that the script stays quick at benchmark scales.
CREATE TEMP VIEW free_text AS
SELECT 'calls.transcript' AS source, transcript AS txt
  FROM calls
 WHERE transcript IS NOT NULL AND id % greatest(1, (SELECT count(*) FROM calls) / 10000) = 0
UNION ALL
SELECT 'ticket_messages.body', body
  FROM ticket_messages
 WHERE id % greatest(1, (SELECT count(*) FROM ticket_messages) / 10000) = 0;

-------------------------------------------------------------------------------
-- Row counts: exact for the driving tables, ranges for the derived ones.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT 'contacts = 1,000 x scale', n = greatest(1, round(1000 * :scale)), n::text FROM (SELECT count(*) AS n FROM contacts) AS c
UNION ALL
SELECT 'agents = 50 x scale', n = greatest(2, round(50 * :scale)), n::text FROM (SELECT count(*) AS n FROM agents) AS c
UNION ALL
SELECT 'calls = 10,000 x scale', n = greatest(1, round(10000 * :scale)), n::text FROM (SELECT count(*) AS n FROM calls) AS c
UNION ALL
SELECT 'tickets = 5,000 x scale', n = greatest(1, round(5000 * :scale)), n::text FROM (SELECT count(*) AS n FROM tickets) AS c
UNION ALL
SELECT 'ticket_messages ~ 4 per ticket (3.6..4.4)', n BETWEEN 3.6 * t AND 4.4 * t, n || ' for ' || t || ' tickets'
  FROM (SELECT (SELECT count(*) FROM ticket_messages) AS n, (SELECT count(*) FROM tickets) AS t) AS c
UNION ALL
SELECT 'recordings ~ 30 % of calls (25..35 %)', n BETWEEN 0.25 * k AND 0.35 * k, n || ' for ' || k || ' calls'
  FROM (SELECT (SELECT count(*) FROM recordings) AS n, (SELECT count(*) FROM calls) AS k) AS c;

-------------------------------------------------------------------------------
-- Contacts: E.164 phones, unique identifiers, varied names.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT 'contacts.phone all E.164 and unique',
       count(*) FILTER (WHERE phone !~ '^\+[1-9][0-9]{7,14}$') = 0 AND count(DISTINCT phone) = count(*),
       count(DISTINCT phone) || ' distinct of ' || count(*)
  FROM contacts
UNION ALL
SELECT 'contacts.email unique ignoring case, some capitalised',
       count(DISTINCT lower(email)) = count(*) AND count(*) FILTER (WHERE email <> lower(email)) > 0,
       count(*) FILTER (WHERE email <> lower(email)) || ' with capitals'
  FROM contacts
UNION ALL
SELECT 'names varied (Slovak, Czech, German, English)',
       count(DISTINCT split_part(name, ' ', 1)) >= least(40, count(*) / 5)
         AND bool_or(name ~ '[ľščťžýáíéúäôňďĺŕ]') AND bool_or(name ~ '[řěů]') AND bool_or(name ~ '[üöß]')
         AND bool_or(name ~ '^(James|John|Robert|David|Daniel|Oliver|George|Harry|Jack|William|Mary|Emma|Olivia|Sarah|Emily|Jessica|Charlotte|Amelia|Sophie|Grace) '),
       count(DISTINCT split_part(name, ' ', 1)) || ' first names'
  FROM contacts
HAVING count(*) >= 1000  -- the variety needs scale 1 or more
UNION ALL
SELECT 'names varied (skipped below 1,000 contacts)', true, count(*) || ' contacts' FROM contacts HAVING count(*) < 1000;

-------------------------------------------------------------------------------
-- Calls: notations, unknown numbers, consistency of the switch's numbers.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT 'caller notation ' || label, count(calls.id) > 0, count(calls.id) || ' calls'
  FROM (VALUES ('+421 905 123 456', '^\+421 [0-9]{3} [0-9]{3} [0-9]{3}$'),
               ('00421905123456', '^00421[0-9]{9}$'),
               ('0905/123-456', '^0[0-9]{3}/[0-9]{3}-[0-9]{3}$'),
               ('(0905) 123456', '^\(0[0-9]{3}\) [0-9]{6}$'),
               ('0905 123 456', '^0[0-9]{3} [0-9]{3} [0-9]{3}$')) AS n (label, re)
  LEFT JOIN calls ON caller ~ re
 GROUP BY label
UNION ALL
SELECT 'callee of outbound calls in varied notations', count(DISTINCT regexp_replace(callee, '[0-9]', 'd', 'g')) >= 5,
       count(DISTINCT regexp_replace(callee, '[0-9]', 'd', 'g')) || ' shapes'
  FROM calls WHERE caller LIKE '+421 2 5010 1%'
UNION ALL
SELECT 'customer''s number in a call parses to contacts.phone', count(*) FILTER (WHERE pg_temp.e164(num) IS DISTINCT FROM ct.phone) = 0,
       count(*) || ' calls checked'
  FROM (SELECT contact_id, CASE WHEN caller LIKE '+421 2 5010 1%' THEN callee ELSE caller END AS num FROM calls) AS c
  JOIN contacts AS ct ON ct.id = c.contact_id
UNION ALL
SELECT 'unknown callers (5..11 %) never a contact''s number',
       count(*) BETWEEN 0.05 * (SELECT count(*) FROM calls) AND 0.11 * (SELECT count(*) FROM calls)
         AND count(*) FILTER (WHERE pg_temp.e164(c.caller) IS NULL OR pg_temp.e164(c.caller) IN (SELECT phone FROM contacts)) = 0,
       count(*) || ' unknown'
  FROM calls AS c WHERE contact_id IS NULL
UNION ALL
SELECT 'missed calls: no agent, no duration, no transcript; answered ones have all',
       count(*) FILTER (WHERE (agent_id IS NULL) <> (duration_s = 0) OR (agent_id IS NULL) <> (transcript IS NULL)) = 0
         AND count(*) FILTER (WHERE agent_id IS NULL) > 0,
       count(*) FILTER (WHERE agent_id IS NULL) || ' missed'
  FROM calls
UNION ALL
SELECT 'cost follows duration', count(*) FILTER (WHERE cost < 0 OR (duration_s = 0) <> (cost = 0)) = 0, sum(cost)::text || ' EUR'
  FROM calls;

-------------------------------------------------------------------------------
-- Tickets and messages: requesters, unknown senders, authors.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT 'requester_email is the contact''s (>= 75 % exactly, all ignoring case, some in another case)',
       count(*) FILTER (WHERE t.requester_email = ct.email) >= 0.75 * count(*)
         AND count(*) FILTER (WHERE lower(t.requester_email) <> lower(ct.email)) = 0
         AND count(*) FILTER (WHERE t.requester_email <> ct.email) > 0,
       count(*) FILTER (WHERE t.requester_email <> ct.email) || ' in another case'
  FROM tickets AS t JOIN contacts AS ct ON ct.id = t.contact_id
UNION ALL
SELECT 'unknown senders (4..10 %) are no contact',
       count(*) BETWEEN 0.04 * (SELECT count(*) FROM tickets) AND 0.10 * (SELECT count(*) FROM tickets)
         AND count(*) FILTER (WHERE lower(requester_email) IN (SELECT lower(email) FROM contacts)) = 0,
       count(*) || ' unknown'
  FROM tickets WHERE contact_id IS NULL
UNION ALL
SELECT 'author_email is the requester (any case) or an agent',
       count(*) FILTER (WHERE lower(m.author_email) <> lower(t.requester_email)
                          AND m.author_email NOT IN (SELECT email FROM agents)) = 0
         AND count(*) FILTER (WHERE m.author_email IN (SELECT email FROM agents)) > 0,
       count(*) FILTER (WHERE m.author_email IN (SELECT email FROM agents)) || ' by agents'
  FROM ticket_messages AS m JOIN tickets AS t ON t.id = m.ticket_id
UNION ALL
SELECT 'every ticket has messages, the first one at its creation',
       count(*) FILTER (WHERE first_at IS DISTINCT FROM t.created_at) = 0, count(*) || ' tickets'
  FROM tickets AS t
  LEFT JOIN (SELECT ticket_id, min(created_at) AS first_at FROM ticket_messages GROUP BY ticket_id) AS m ON m.ticket_id = t.id;

-------------------------------------------------------------------------------
-- Free text mentions identifiers the way support text does.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT source || ' mentions e-mails (> 50 %), some not in lower case',
       count(*) FILTER (WHERE txt ~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}') > 0.5 * count(*)
         AND count(*) FILTER (WHERE txt ~ '[A-Z][A-Za-z0-9._%+-]*@|@[A-Za-z0-9.-]*[A-Z]') > 0,
       count(*) FILTER (WHERE txt ~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}') || ' of ' || count(*)
  FROM free_text GROUP BY source
UNION ALL
SELECT source || ' mentions phone numbers (> 50 %) in all five notations',
       count(*) FILTER (WHERE txt ~ '\+[0-9]{2,3} [0-9]{3} [0-9]|00[0-9]{11}|\(?0[0-9]{3}\)?[ /][0-9]{3}|\+[0-9]{11}') > 0.5 * count(*)
         AND bool_or(txt ~ '\+421 [0-9]{3} [0-9]{3} [0-9]{3}') AND bool_or(txt ~ '00421[0-9]{9}')
         AND bool_or(txt ~ '0[0-9]{3}/[0-9]{3}-[0-9]{3}') AND bool_or(txt ~ '\(0[0-9]{3}\) [0-9]{6}')
         AND bool_or(txt ~ '(^|[^0-9/+])0[0-9]{3} [0-9]{3} [0-9]{3}'),
       count(*) FILTER (WHERE txt ~ '\+[0-9]{2,3} [0-9]{3} [0-9]|00[0-9]{11}|\(?0[0-9]{3}\)?[ /][0-9]{3}|\+[0-9]{11}')
         || ' of ' || count(*)
  FROM free_text GROUP BY source
UNION ALL
SELECT source || ' mentions IBANs, all with valid check digits',
       count(*) > 0 AND bool_and(pg_temp.iban_valid(replace(iban, ' ', ''))),
       count(*) || ' IBANs, ' || count(*) FILTER (WHERE NOT pg_temp.iban_valid(replace(iban, ' ', ''))) || ' invalid'
  FROM (SELECT source, (regexp_matches(txt, '\m((?:SK|CZ|DE|AT)[0-9]{2}(?: ?[0-9]{4}){4,5}(?: ?[0-9]{1,3})?)', 'g'))[1] AS iban
          FROM free_text) AS i
 GROUP BY source
UNION ALL
SELECT 'transcripts mention the caller''s own name and e-mail (any case)',
       count(*) FILTER (WHERE strpos(c.transcript, ct.name) > 0) > 0.9 * count(*)
         AND count(*) FILTER (WHERE strpos(lower(c.transcript), lower(ct.email)) > 0) > 0.4 * count(*),
       count(*) FILTER (WHERE strpos(lower(c.transcript), lower(ct.email)) > 0) || ' of ' || count(*) || ' with the e-mail'
  FROM calls AS c JOIN contacts AS ct ON ct.id = c.contact_id WHERE c.transcript IS NOT NULL
UNION ALL
SELECT 'free text also names third persons who are contacts', count(*) > 0, count(*) || ' calls'
  FROM (SELECT c.contact_id, coalesce(substring(c.transcript FROM 'family plan should also cover ([^.]+)\.'),
                                      substring(c.transcript FROM 'about the bill of my mother, ([^.]+)\.')) AS third
          FROM calls AS c) AS c
  LEFT JOIN contacts AS ct ON ct.id = c.contact_id
 WHERE c.third <> coalesce(ct.name, '') AND c.third IN (SELECT name FROM contacts);

-------------------------------------------------------------------------------
-- Time: the last three years up to the day of loading, in a plausible order.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT 'all timestamps within the 3 years before today',
       min(at) >= current_date - interval '3 years' AND max(at) < current_date + interval '1 day',
       min(at)::date || ' .. ' || max(at)::date
  FROM (SELECT created_at AS at FROM contacts UNION ALL SELECT started_at FROM calls
        UNION ALL SELECT created_at FROM recordings UNION ALL SELECT created_at FROM tickets
        UNION ALL SELECT created_at FROM ticket_messages) AS t
UNION ALL
SELECT 'calls span ~3 years (oldest > 2.75 years, newest < 1 week ago)',
       min(started_at) < current_date - interval '33 months' AND max(started_at) > current_date - interval '7 days',
       min(started_at)::date || ' .. ' || max(started_at)::date
  FROM calls
UNION ALL
SELECT 'calls older than 2 years: 5..30 %',
       count(*) FILTER (WHERE started_at < current_date - interval '2 years') BETWEEN 0.05 * count(*) AND 0.30 * count(*),
       count(*) FILTER (WHERE started_at < current_date - interval '2 years') || ' of ' || count(*)
  FROM calls
UNION ALL
SELECT 'recordings on both sides of 90 days (each >= 5 %)',
       count(*) FILTER (WHERE created_at < current_date - interval '90 days') >= 0.05 * count(*)
         AND count(*) FILTER (WHERE created_at >= current_date - interval '90 days') >= 0.05 * count(*),
       count(*) FILTER (WHERE created_at < current_date - interval '90 days') || ' older, '
         || count(*) FILTER (WHERE created_at >= current_date - interval '90 days') || ' younger'
  FROM recordings
UNION ALL
SELECT 'tickets span ~3 years, old ones closed',
       min(created_at) < current_date - interval '33 months'
         AND count(*) FILTER (WHERE created_at < current_date - interval '30 days' AND status IN ('open', 'pending')) = 0,
       min(created_at)::date || ' .. ' || max(created_at)::date
  FROM tickets
UNION ALL
SELECT 'nobody calls or writes before becoming a contact',
       (SELECT count(*) FROM calls AS c JOIN contacts AS ct ON ct.id = c.contact_id WHERE c.started_at < ct.created_at)
       + (SELECT count(*) FROM tickets AS t JOIN contacts AS ct ON ct.id = t.contact_id WHERE t.created_at < ct.created_at) = 0,
       'checked'
UNION ALL
SELECT 'recordings end after their call, messages follow their ticket',
       (SELECT count(*) FROM recordings AS r JOIN calls AS c ON c.id = r.call_id
         WHERE r.created_at < c.started_at + c.duration_s * interval '1 second')
       + (SELECT count(*) FROM ticket_messages AS m JOIN tickets AS t ON t.id = m.ticket_id WHERE m.created_at < t.created_at) = 0,
       'checked'
UNION ALL
SELECT 'ids follow time (calls, tickets)',
       NOT EXISTS (SELECT FROM (SELECT started_at < lag(started_at) OVER (ORDER BY id) AS back FROM calls) AS c WHERE back)
         AND NOT EXISTS (SELECT FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back FROM tickets) AS t WHERE back),
       'checked';

-------------------------------------------------------------------------------
-- Integrity, indexes, sequences, statistics.
-------------------------------------------------------------------------------
INSERT INTO demo_check (name, ok, detail)
SELECT 'five validated foreign keys', count(*) = 5 AND bool_and(convalidated), count(*) || ' foreign keys'
  FROM pg_constraint
 WHERE contype = 'f' AND conrelid IN ('calls'::regclass, 'recordings'::regclass, 'tickets'::regclass, 'ticket_messages'::regclass)
UNION ALL
SELECT 'no orphans',
       (SELECT count(*) FROM calls AS c WHERE (c.contact_id IS NOT NULL AND NOT EXISTS (SELECT FROM contacts WHERE id = c.contact_id))
                                           OR (c.agent_id IS NOT NULL AND NOT EXISTS (SELECT FROM agents WHERE id = c.agent_id)))
       + (SELECT count(*) FROM recordings AS r WHERE NOT EXISTS (SELECT FROM calls WHERE id = r.call_id))
       + (SELECT count(*) FROM tickets AS t WHERE t.contact_id IS NOT NULL AND NOT EXISTS (SELECT FROM contacts WHERE id = t.contact_id))
       + (SELECT count(*) FROM ticket_messages AS m WHERE NOT EXISTS (SELECT FROM tickets WHERE id = m.ticket_id)) = 0,
       'checked'
UNION ALL
SELECT 'indexes on foreign keys and retention columns', count(*) = 7, string_agg(indexrelid::regclass::text, ', ' ORDER BY 1)
  FROM pg_index
 WHERE indexrelid IN (SELECT to_regclass(name)
                        FROM unnest(ARRAY['calls_contact_id_idx', 'calls_agent_id_idx', 'calls_started_at_idx',
                                          'recordings_call_id_idx', 'recordings_created_at_idx',
                                          'tickets_contact_id_idx', 'ticket_messages_ticket_id_idx']) AS name)
   AND indisvalid
UNION ALL
SELECT 'tables analyzed by the load (not only by autovacuum)', count(*) = 6, string_agg(relname, ', ' ORDER BY relname)
  FROM pg_stat_user_tables
 WHERE schemaname = 'public'
   AND relname IN ('contacts', 'agents', 'calls', 'recordings', 'tickets', 'ticket_messages')
   AND last_analyze IS NOT NULL;

-- Inserts without ids must get fresh ids (identity sequences advanced). The
-- probe rows are undone by leaving the block with an exception.
DO $$
DECLARE
  contact bigint;
  agent bigint;
  call bigint;
  ticket bigint;
BEGIN
  BEGIN
    INSERT INTO contacts (name) VALUES ('Probe') RETURNING id INTO contact;
    INSERT INTO agents (name, email) VALUES ('Probe', 'probe@demotel.sk') RETURNING id INTO agent;
    INSERT INTO calls (contact_id, agent_id, caller, callee, started_at)
      VALUES (contact, agent, '0905 000 000', '0250101000', now()) RETURNING id INTO call;
    INSERT INTO recordings (call_id, audio, format) VALUES (call, '\x00', 'wav');
    INSERT INTO tickets (contact_id, requester_email, subject) VALUES (contact, 'probe@example.com', 'Probe')
      RETURNING id INTO ticket;
    INSERT INTO ticket_messages (ticket_id, author_email, body) VALUES (ticket, 'probe@example.com', 'Probe');
    RAISE EXCEPTION 'probe done' USING ERRCODE = 'P0001';
  EXCEPTION
    WHEN unique_violation THEN
      INSERT INTO demo_check (name, ok, detail) VALUES ('inserts without id get fresh ids', false, SQLERRM);
    WHEN raise_exception THEN
      IF SQLERRM <> 'probe done' THEN
        RAISE;
      END IF;
      INSERT INTO demo_check (name, ok, detail) VALUES ('inserts without id get fresh ids', true, 'all six tables');
  END;
END
$$;

-------------------------------------------------------------------------------
\pset footer off
SELECT CASE WHEN ok THEN 'ok' ELSE 'FAILED' END AS result, name AS "check", detail FROM demo_check ORDER BY seq;

DO $$
DECLARE
  failed text;
BEGIN
  SELECT string_agg(name, '; ' ORDER BY seq) INTO failed FROM demo_check WHERE ok IS NOT TRUE;
  IF failed IS NOT NULL THEN
    RAISE EXCEPTION 'demo data check failed: %', failed
      USING ERRCODE = 'P0001', HINT = 'See the table above; docs/demo-data.md describes the expected shape.';
  END IF;
END
$$;
