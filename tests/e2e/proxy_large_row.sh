#!/usr/bin/env bash
# Large values stream through the proxy instead of being buffered whole: a
# 64 MB row out and a 64 MB value in arrive intact while the proxy's peak
# memory grows by far less than the value's size (buffering one whole would
# grow it by at least 64 MB).
set -euo pipefail
source "$(dirname "$0")/proxy_lib.sh"

start_own_proxy proxy_large_row
size=$((64 * 1024 * 1024))
conn=(-X -At -h 127.0.0.1 -p "$OWN_PROXY_PORT" -U postgres -d "$GDPR_DB")

psql "${conn[@]}" -c "select 1" >/dev/null  # warm-up: a session's normal footprint
before_kb=$(awk '/VmHWM/ {print $2}' "/proc/$OWN_PROXY_PID/status")

got=$(psql "${conn[@]}" -c "select repeat('x', $size)" | wc -c)
[[ $got -eq $((size + 1)) ]] || fail "row out: received $got bytes, expected $((size + 1))"

# The same size inbound, as one Query message.
python3 -c "import sys; sys.stdout.write(\"select length('\" + 'y' * $size + \"')\")" >"$GDPR_TMP/large_query.sql"
got=$(psql "${conn[@]}" -f "$GDPR_TMP/large_query.sql")
[[ $got -eq $size ]] || fail "value in: server saw length $got"

peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$OWN_PROXY_PID/status")
growth_kb=$((peak_kb - before_kb))
echo "proxy peak RSS: ${before_kb} kB before, ${peak_kb} kB after ${size}-byte messages (+${growth_kb} kB)"
((growth_kb < 16 * 1024)) || fail "proxy peak RSS grew by ${growth_kb} kB: large messages are being buffered"
echo ok
