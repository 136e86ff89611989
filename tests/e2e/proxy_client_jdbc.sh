#!/usr/bin/env bash
# JDBC (Debian's libpostgresql-jdbc-java) through gdpr-proxy over TLS
# (ssl=true, sslmode=require; the proxy requires TLS): a Java program compiled
# here runs as the end user carla (SCRAM against the catalog, policy role
# gdpr_policy_supervisor) and as the passthrough DBA postgres: prepared
# statements with typed parameters past the driver's prepareThreshold, a
# 1,000-row batch, commit / rollback / an aborted transaction (23505, 25P02),
# a 16 MiB text read and an 8 MiB parameter, Statement.cancel() and
# setQueryTimeout of pg_sleep (57014), plaintext refused (28000) and a wrong
# password (28P01).
set -euo pipefail
source "$(dirname "$0")/proxy_clients_lib.sh"

require_command javac default-jdk-headless
require_command java default-jdk-headless
jar=/usr/share/java/postgresql.jar
[[ -f $jar ]] || fail "$jar is missing (Debian package libpostgresql-jdbc-java): run scripts/install-deps.sh"
classes="$GDPR_TMP/jdbc_classes"
mkdir -p "$classes"
javac -Werror -Xlint:all -d "$classes" -cp "$jar" "$CLIENTS_DIR/JdbcClient.java" || fail "could not compile JdbcClient.java"

start_tls_proxy proxy_client_jdbc
calls=$(direct -c "select count(*) from calls")

for spec in carla:carla:gdpr_policy_supervisor postgres:unused:postgres; do
  IFS=: read -r user password role <<<"$spec"
  out=$(java -Xmx512m -cp "$jar:$classes" JdbcClient 127.0.0.1 "$OWN_PROXY_PORT" "$GDPR_DB" "$user" "$password" "$role" "$calls" 2>&1) ||
    fail "JDBC client as $user: $out"
  echo "$out"
  expect_contains "$out" "ok: $user as $role over TLS" "JDBC client as $user"
done
# Every JDBC session went over TLS (the proxy log records it per session).
expect_proxy_alive
echo ok
