#!/usr/bin/env bash
# Masking functions' throughput: values per second on one core (one backend
# evaluates a query serially; parallel query is switched off). Each function
# is timed over N generated values, minus the time of the same query without
<<<<<<< HEAD
# the mask. Then a full scan of a masked view against its base table.
# Usage: bench/masking/run.sh [N]
# With PGPORT set it uses that server (PGHOST/PGUSER/PGDATABASE, default
# 127.0.0.1, postgres, gdpr_demo; e.g. PGPORT=54329 for the `make run`
# cluster). Without, as under `make bench`, it starts a throw-away cluster
# under bench/out/masking (port GDPR_BENCH_PORT, default 54394) with the demo
# data at scale 1 and the demo policies.
=======
# the mask. Then a full scan of a masked view against its base table, and
# `redact` with the known names of data subjects against `redact` of the text
# alone, on the demo's ticket bodies.
# Usage: bench/masking/run.sh [N]   (connection: PGHOST/PGPORT/PGUSER/PGDATABASE,
# default the `make run` cluster 127.0.0.1:54329, database gdpr_demo)
>>>>>>> wt-names
set -euo pipefail
n=${1:-200000}
if [[ -z ${PGPORT:-} ]]; then
  source "$(dirname "$0")/../../scripts/lib.sh"
  work="$GDPR_ROOT/bench/out/masking"
  export PGPORT=${GDPR_BENCH_PORT:-54394}
  cluster_stop "$work/cluster"
  rm -rf "$work"
  mkdir -p "$work"
  cluster_init "$work/cluster" "$PGPORT"
  as_pg sh -c "echo 'gdpr.audit = off' >> '$work/cluster/pgdata/postgresql.conf'"
  cluster_start "$work/cluster"
  trap 'cluster_stop "$work/cluster"' EXIT
  PGHOST=127.0.0.1 PGUSER=postgres "$GDPR_ROOT/bench/data/load-demo.sh" 1 gdpr_demo --with-extension >"$work/load.log"
fi
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres} PGDATABASE=${PGDATABASE:-gdpr_demo}
psql -X -q -v ON_ERROR_STOP=1 -v n="$n" <<'SQL'
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE bench_values AS
SELECT i,
       '+421 9' || lpad((i % 100000000)::text, 8, '0') AS phone,
       -- A national notation, as a switch logs callers (demo calls.caller):
       -- these take libphonenumber's full Parse(), not the E.164 fast path.
       '0905/' || substr(lpad((i % 1000000)::text, 6, '0'), 1, 3) || '-' || substr(lpad((i % 1000000)::text, 6, '0'), 4, 3)
         AS phone_national,
       'user' || i || '@example.com' AS email,
       'Jana' || i || ' Nováková' AS name,
       'Hello, this is customer ' || i || ', mail me at user' || i || '@example.com or call 0905 '
         || lpad((i % 1000000)::text, 6, '0') || ' about my last invoice, thanks.' AS free_text,
       (i % 5000)::float8 AS amount
FROM generate_series(1, :n) i;
ANALYZE bench_values;

CREATE FUNCTION pg_temp.time_ms(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; best float8 := 'Infinity';
BEGIN
  FOR round IN 1..3 LOOP  -- best of three: the machine is shared
    t0 := clock_timestamp();
    EXECUTE sql;
    best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
  END LOOP;
  RETURN best;
END $$;

WITH cases(label, masked, plain) AS (VALUES
  ('partial phone',      'SELECT count(gdpr.mask_partial(phone, ''phone'')) FROM bench_values',   'SELECT count(phone) FROM bench_values'),
  ('partial phone, national notation', 'SELECT count(gdpr.mask_partial(phone_national, ''phone'')) FROM bench_values', 'SELECT count(phone_national) FROM bench_values'),
  ('partial email',      'SELECT count(gdpr.mask_partial(email, ''email'')) FROM bench_values',   'SELECT count(email) FROM bench_values'),
  ('partial name',       'SELECT count(gdpr.mask_partial(name, ''name'')) FROM bench_values',     'SELECT count(name) FROM bench_values'),
  ('hash',               'SELECT count(gdpr.mask_hash(email)) FROM bench_values',                 'SELECT count(email) FROM bench_values'),
  ('redact (110 chars)', 'SELECT count(gdpr.mask_redact(free_text)) FROM bench_values',           'SELECT count(free_text) FROM bench_values'),
  ('generalize number',  'SELECT count(gdpr.mask_generalize_number(amount)) FROM bench_values',   'SELECT count(amount) FROM bench_values'))
SELECT label AS mask, round(:n / ms * 1000) AS values_per_second, round((ms * 1000000 / :n)::numeric) AS ns_per_value
FROM (SELECT label, greatest(pg_temp.time_ms(masked) - pg_temp.time_ms(plain), 0.001) AS ms
      FROM cases) timed;
SQL

# A masked view against its base table (the demo's calls, as the superuser).
if psql -X -At -c "SELECT 1 FROM gdpr.policies WHERE name = 'agent'" | grep -q 1; then
  psql -X -q <<'SQL'
SET max_parallel_workers_per_gather = 0;
\timing on
\echo full scan of calls, base table:
SELECT count(caller), count(callee), count(transcript) FROM calls;
\echo full scan of calls through gdpr_mask_agent.calls (2 partial phones + redacted transcript per row):
SELECT count(caller), count(callee), count(transcript) FROM gdpr_mask_agent.calls;
SQL
fi

# redact as the masked views apply it (the stored row, plus known names: every
# contacts.name and agents.name) against redact of the text alone (e-mails,
# phones, IBANs: the rule before names), on the demo's ticket bodies.
# Interleaved rounds, median of five, minus the plain scan.
if psql -X -At -c "SELECT to_regclass('public.ticket_messages') IS NOT NULL
                     AND EXISTS (SELECT 1 FROM gdpr.subject_index WHERE source = 'name')" | grep -q t; then
  psql -X -q <<'SQL'
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.ms(sql text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
  t0 := clock_timestamp();
  EXECUTE sql;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE TEMP TABLE rounds (label text, ms float8);
DO $$
DECLARE
  attnum int := (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = 'ticket_messages'::regclass AND a.attname = 'body');
BEGIN
  FOR round IN 1..5 LOOP
    INSERT INTO rounds VALUES ('plain', pg_temp.ms('SELECT count(body) FROM ticket_messages'));
    INSERT INTO rounds VALUES ('redact, text only (before names)',
      pg_temp.ms('SELECT count(gdpr.mask_redact(body)) FROM ticket_messages'));
    INSERT INTO rounds VALUES ('redact, stored row + known names',
      pg_temp.ms(format('SELECT count(gdpr.mask_redact(body, %L, tableoid, ctid, %s::smallint)) FROM ticket_messages',
                        'ticket_messages', attnum)));
  END LOOP;
END $$;
\echo redact of the ticket bodies of the demo (one core, median of 5 rounds):
WITH medians AS (SELECT label, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM rounds GROUP BY label),
     n AS (SELECT count(*) AS values, (SELECT count(*) FROM gdpr.subject_index WHERE source = 'name') AS name_hashes
             FROM ticket_messages)
SELECT m.label AS mask, n.values, n.name_hashes,
       round(n.values / greatest(m.ms - p.ms, 0.001) * 1000) AS values_per_second,
       round(((m.ms - p.ms) * 1000 / n.values)::numeric, 1) AS us_per_value
FROM medians m, medians p, n WHERE p.label = 'plain' AND m.label <> 'plain' ORDER BY 1 DESC;
SQL
fi
