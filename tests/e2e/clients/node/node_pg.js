// A node-postgres client for tests/e2e/proxy_client_node.sh: through
// gdpr-proxy over TLS (the proxy's certificate verified against the test's
// CA), parameterised and named prepared queries, a transaction with a
// savepoint and a rollback, server errors with their SQLSTATE (err.code),
// NoticeResponse, and LISTEN/NOTIFY between two proxied sessions. The first
// surprise prints "FAIL: ..." and exits 1.
//
// Usage: NODE_PATH=<dir with pg> node node_pg.js PORT DB CA_FILE USER PASSWORD EXPECTED_ROLE CALLS_COUNT
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const assert = require('assert/strict');
const { Client } = require('pg');

const [port, database, caFile, user, password, expectedRole, callsCount] = process.argv.slice(2);
if (callsCount === undefined) {
  console.error('usage: node node_pg.js PORT DB CA_FILE USER PASSWORD EXPECTED_ROLE CALLS_COUNT');
  process.exit(2);
}

// A notification or result that never arrives fails instead of hanging.
setTimeout(() => {
  console.error('FAIL: no answer within 60 s');
  process.exit(1);
}, 60000).unref();

const tls = { ca: fs.readFileSync(caFile) };
function newClient(ssl = tls) {
  return new Client({ host: '127.0.0.1', port: Number(port), database, user, password, ssl,
                      application_name: 'gdpr-e2e-node', connectionTimeoutMillis: 10000 });
}

// expectCode(code, promise): the query must fail with that SQLSTATE.
async function expectCode(code, what, promise) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.code, code, `${what}: expected SQLSTATE ${code}, got ${err.code} (${err.message})`);
    return err;
  }
  assert.fail(`${what}: expected SQLSTATE ${code}, but it succeeded`);
}

async function plaintextRefused() {
  const plain = newClient(false);
  await expectCode('28000', 'plaintext connection', plain.connect());
}

async function identity(client) {
  assert.equal(client.connection.stream.encrypted, true, 'the connection is not TLS');
  const { rows } = await client.query(
    "select current_user as role, current_setting('gdpr.actor') as actor, current_setting('application_name') as app");
  // The proxy sets gdpr.actor for end users; passthrough roles leave it empty (= session user).
  assert.deepEqual(rows[0], { role: expectedRole, actor: expectedRole === user ? '' : user, app: 'gdpr-e2e-node' });
  return client.connection.stream.getProtocol();
}

async function parameters(client) {
  const { rows } = await client.query(
    'select $1::int + $2::int as sum, $3::text as text, $4::numeric as amount, $5::jsonb as doc, $6::bytea as bytes, $7::text as missing',
    [2, 3, 'žluťoučký kůň ✓', '12.50', JSON.stringify({ a: [1, 2], b: 'c' }), Buffer.from([0, 1, 254, 255]), null]);
  assert.deepEqual(rows[0], { sum: 5, text: 'žluťoučký kůň ✓', amount: '12.50', doc: { a: [1, 2], b: 'c' },
                              bytes: Buffer.from([0, 1, 254, 255]), missing: null });

  // A named prepared statement: parsed once, then bound and executed again.
  for (let i = 1; i <= 10; i++) {
    const result = await client.query({ name: 'square', text: 'select $1::int * $1::int as square', values: [i] });
    assert.equal(result.rows[0].square, i * i, `named statement, run ${i}`);
  }
  const calls = await client.query('select count(*)::int as n from calls where id > $1', [0]);
  assert.equal(calls.rows[0].n, Number(callsCount), 'calls counted with a parameter');
  // Many rows in one result, as arrays.
  const many = await client.query({ text: 'select g, md5(g::text) from generate_series(1, $1::int) g', values: [20000], rowMode: 'array' });
  assert.equal(many.rowCount, 20000, 'rows of generate_series');
  for (const i of [0, 9999, 19999]) {
    assert.deepEqual(many.rows[i], [i + 1, crypto.createHash('md5').update(String(i + 1)).digest('hex')], `row ${i + 1}`);
  }
}

async function transaction(client) {
  await client.query('create temp table node_t (id int primary key, note text)');
  await client.query('begin');
  await client.query('insert into node_t values ($1, $2)', [1, 'kept']);
  await client.query('savepoint s');
  await client.query('insert into node_t values ($1, $2)', [2, 'undone']);
  await client.query('rollback to savepoint s');
  await client.query('commit');
  await client.query('begin');
  await client.query('insert into node_t values ($1, $2)', [3, 'rolled back']);
  await client.query('rollback');
  const { rows } = await client.query('select id, note from node_t order by id');
  assert.deepEqual(rows, [{ id: 1, note: 'kept' }], 'rows after the transactions');
}

async function errors(client) {
  await expectCode('22012', 'division by zero', client.query('select 1 / $1::int', [0]));
  const duplicate = await expectCode('23505', 'duplicate key', client.query('insert into node_t values (1, $1)', ['again']));
  assert.equal(duplicate.constraint, 'node_t_pkey', 'constraint of the duplicate key error');
  await expectCode('42P01', 'missing table', client.query('select * from no_such_table_here'));
  await expectCode('42601', 'syntax error', client.query('selec 1'));
  await client.query('begin');
  await expectCode('22P02', 'bad integer', client.query('select $1::int', ['x']));
  await expectCode('25P02', 'statement in an aborted transaction', client.query('select 1'));
  await client.query('rollback');
  const { rows } = await client.query('select 1 as one');
  assert.equal(rows[0].one, 1, 'session after the errors');
}

async function notices(client) {
  const received = [];
  const listener = (notice) => received.push(notice);
  client.on('notice', listener);
  await client.query("do $$ begin raise notice 'hello %', 42; end $$");
  client.off('notice', listener);
  assert.equal(received.length, 1, 'one notice');
  assert.equal(received[0].message, 'hello 42');
  assert.equal(received[0].code, '00000');
}

async function listenNotify(client) {
  const notifier = newClient();
  await notifier.connect();
  try {
    const notifierPid = (await notifier.query('select pg_backend_pid() as pid')).rows[0].pid;
    const received = [];
    let wake = null;
    client.on('notification', (message) => {
      received.push(message);
      if (wake) wake();
    });
    await client.query('listen gdpr_e2e_node');
    await notifier.query("select pg_notify('gdpr_e2e_node', $1)", ['first']);
    await notifier.query('begin');
    await notifier.query("notify gdpr_e2e_node, 'rolled back'");
    await notifier.query('rollback');
    await notifier.query('begin');
    await notifier.query("notify gdpr_e2e_node, 'second'");
    await notifier.query("notify gdpr_e2e_node, 'third'");
    await notifier.query('commit');
    // Notifications arrive asynchronously, between queries: wait without querying.
    while (received.length < 3) {
      await new Promise((resolve) => { wake = resolve; });
    }
    assert.deepEqual(received.map((m) => m.payload), ['first', 'second', 'third'], 'notification payloads');
    for (const message of received) {
      assert.equal(message.channel, 'gdpr_e2e_node');
      assert.equal(message.processId, notifierPid, 'notification sender is the notifier backend');
    }
    await client.query('unlisten *');
    await notifier.query("notify gdpr_e2e_node, 'after unlisten'");
    await client.query('select pg_sleep(0.2)');
    assert.equal(received.length, 3, 'a notification arrived after UNLISTEN');
  } finally {
    await notifier.end();
  }
}

async function main() {
  await plaintextRefused();
  const client = newClient();
  await client.connect();
  try {
    const protocol = await identity(client);
    await parameters(client);
    await transaction(client);
    await errors(client);
    await notices(client);
    await listenNotify(client);
    console.log(`ok: ${user} as ${expectedRole} over ${protocol}: parameters, transaction, SQLSTATEs, notice, LISTEN/NOTIFY`);
  } finally {
    await client.end();
  }
}

main().then(() => process.exit(0), (err) => {
  const sqlstate = /^[0-9A-Z]{5}$/.test(err.code ?? '') ? `SQLSTATE ${err.code}: ` : '';
  console.error(`FAIL: ${sqlstate}${err.message}`);
  process.exit(1);
});
