#!/usr/bin/env bash
# node-postgres (the npm package pg, installed by this test into a scratch
# directory) through gdpr-proxy over TLS, verifying the proxy's certificate:
# parameterised and named prepared queries, a transaction with a savepoint and
# a rollback, errors with their SQLSTATE (err.code), a notice, and
# LISTEN/NOTIFY between two proxied sessions; as the end user carla and as the
# passthrough DBA postgres. Plaintext is refused (28000).
set -euo pipefail
source "$(dirname "$0")/proxy_clients_lib.sh"

require_command node nodejs
require_command npm npm
node_dir="$GDPR_TMP/node"
mkdir -p "$node_dir"
cp "$CLIENTS_DIR/node/package.json" "$node_dir/"
# The version is pinned in package.json; no lock file (it would record registry addresses).
(cd "$node_dir" && npm install --prefer-offline --no-audit --no-fund --no-package-lock --loglevel=error >npm.log 2>&1) ||
  fail "npm install pg failed (the npm registry must be reachable): $(tail -n 20 "$node_dir/npm.log")"
[[ -f $node_dir/node_modules/pg/package.json ]] || fail "npm install did not install pg"

start_tls_proxy proxy_client_node
calls=$(direct -c "select count(*) from calls")

for spec in carla:carla:gdpr_policy_supervisor postgres:unused:postgres; do
  IFS=: read -r user password role <<<"$spec"
  out=$(NODE_PATH="$node_dir/node_modules" node "$CLIENTS_DIR/node/node_pg.js" "$OWN_PROXY_PORT" "$GDPR_DB" "$TLS_CERT" \
    "$user" "$password" "$role" "$calls" 2>&1) || fail "node-postgres client as $user: $out"
  echo "$out"
  expect_contains "$out" "ok: $user as $role over TLSv1." "node-postgres client as $user"
done
expect_proxy_alive
echo ok
