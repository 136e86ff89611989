# Shared helpers for the project's scripts: PostgreSQL clusters run as the
# `postgres` OS user when we are root (PostgreSQL refuses to run as root).
# shellcheck shell=bash

GDPR_ROOT=${GDPR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_BIN=${PG_BIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then PG_BIN=/usr/lib/postgresql/15/bin; fi
export PATH="$PG_BIN:$PATH"

# Runs a command as the cluster's owner.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Makes a directory the cluster owner can write.
pg_owned_dir() {
  mkdir -p "$1"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$1"; fi
}

# cluster_init DIR PORT: a new cluster in DIR/pgdata, listening on 127.0.0.1:PORT,
# sockets in DIR, superuser `postgres` trusted from localhost (demo/test only).
cluster_init() {
  local dir=$1 port=$2
  pg_owned_dir "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log"; return 1; }
  # The extension's secret lives outside the database (docs/dba/keys.md).
  local key_file="$dir/gdpr.key"
  as_pg sh -c "umask 077; openssl rand -hex 32 > '$key_file'"
  as_pg sh -c "cat >> '$dir/pgdata/postgresql.conf'" <<CONF

# --- pg_gdpr ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'gdpr'
max_connections = 200
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
gdpr.key_file = '$key_file'
CONF
}

cluster_start() {
  local dir=$1
  as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { echo "PostgreSQL failed to start; last lines of $dir/server.log:" >&2; tail -n 30 "$dir/server.log" >&2; return 1; }
}

cluster_stop() {
  local dir=$1
  if [[ -f "$dir/pgdata/postmaster.pid" ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
}

# Waits until a TCP port accepts connections (up to $2 seconds, default 15).
wait_for_port() {
  local port=$1 limit=${2:-15} i
  for ((i = 0; i < limit * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}
