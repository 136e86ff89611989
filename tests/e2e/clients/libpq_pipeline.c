/*
 * A libpq client for tests/e2e/proxy_client_libpq.sh: pipeline mode and COPY
 * through gdpr-proxy. Every step checks what the server must answer (values,
 * row counts, SQLSTATEs) and exits 1 with "FAIL: ..." at the first surprise.
 *
 * Usage: libpq_pipeline CONNINFO
 * Only temporary tables and generate_series are used, so it runs as any role
 * (a passthrough DBA or an end user on a policy role).
 */
#include <libpq-fe.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { copy_rows = 200000, pipelined_queries = 1000, timeout_seconds = 60 };

static PGconn* conn;

static void fail(const char* format, ...) {
  va_list args;
  va_start(args, format);
  fputs("FAIL: ", stderr);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  if (conn != NULL && PQerrorMessage(conn)[0] != '\0') fprintf(stderr, "libpq: %s", PQerrorMessage(conn));
  exit(1);
}

/* A result that never arrives (e.g. a Flush the proxy held back) must fail
 * the test quickly instead of hanging until the harness's timeout. */
static void on_alarm(int signal_number) {
  (void)signal_number;
  static const char message[] = "FAIL: no answer within the time limit (a result was not relayed)\n";
  ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  _exit(1);
}

static const char* status_name(ExecStatusType status) { return PQresStatus(status); }

/* The next result must have STATUS; returns it (caller clears). */
static PGresult* expect_result(ExecStatusType status, const char* what) {
  PGresult* result = PQgetResult(conn);
  if (result == NULL) fail("%s: expected %s, got no result", what, status_name(status));
  if (PQresultStatus(result) != status)
    fail("%s: expected %s, got %s (%s)", what, status_name(status), status_name(PQresultStatus(result)),
         PQresultErrorMessage(result));
  return result;
}

/* In pipeline mode each query's results end with a NULL. */
static void expect_end_of_query(const char* what) {
  PGresult* result = PQgetResult(conn);
  if (result != NULL)
    fail("%s: expected the end of the query's results, got %s", what, status_name(PQresultStatus(result)));
}

static void expect_value(PGresult* result, int row, int column, const char* expected, const char* what) {
  if (PQntuples(result) <= row)
    fail("%s: expected at least %d rows, got %d", what, row + 1, PQntuples(result));
  const char* got = PQgetvalue(result, row, column);
  if (strcmp(got, expected) != 0) fail("%s: expected '%s', got '%s'", what, expected, got);
}

static void expect_sqlstate(PGresult* result, const char* sqlstate, const char* what) {
  const char* got = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (got == NULL || strcmp(got, sqlstate) != 0)
    fail("%s: expected SQLSTATE %s, got %s", what, sqlstate, got ? got : "none");
}

static void exec_ok(const char* sql) {
  PGresult* result = PQexec(conn, sql);
  if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK)
    fail("%s: %s", sql, PQresultErrorMessage(result));
  PQclear(result);
}

static char* query_value(const char* sql) {
  static char value[256];
  PGresult* result = PQexec(conn, sql);
  if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1)
    fail("%s: %s", sql, PQresultErrorMessage(result));
  snprintf(value, sizeof value, "%s", PQgetvalue(result, 0, 0));
  PQclear(result);
  return value;
}

static void send_params(const char* sql, int count, const char* const* values, const char* what) {
  if (!PQsendQueryParams(conn, sql, count, NULL, values, NULL, NULL, 0)) fail("%s: could not send", what);
}

static void pipeline_sync(void) {
  if (!PQpipelineSync(conn)) fail("PQpipelineSync");
}

/* An error in a pipeline aborts everything up to the next Sync, and the
 * implicit transaction of that segment is rolled back; the next segment runs. */
static void pipeline_error_skips_to_sync(void) {
  exec_ok("create temp table pipe_t (id int primary key, note text)");
  if (!PQenterPipelineMode(conn)) fail("PQenterPipelineMode");

  const char* first[] = {"1", "one"};
  send_params("insert into pipe_t values ($1, $2)", 2, first, "insert 1");
  const char* division[] = {"1", "0"};
  send_params("select $1::int / $2::int", 2, division, "division by zero");
  send_params("insert into pipe_t values (2, 'two')", 0, NULL, "insert 2");
  pipeline_sync();
  if (!PQsendPrepare(conn, "pipe_select", "select id, note from pipe_t where id >= $1 order by id", 1, NULL))
    fail("PQsendPrepare");
  const char* third[] = {"3", "three"};
  send_params("insert into pipe_t values ($1, $2)", 2, third, "insert 3");
  const char* from_zero[] = {"0"};
  if (!PQsendQueryPrepared(conn, "pipe_select", 1, from_zero, NULL, NULL, 0)) fail("PQsendQueryPrepared");
  if (!PQsendDescribePrepared(conn, "pipe_select")) fail("PQsendDescribePrepared");
  pipeline_sync();

  PQclear(expect_result(PGRES_COMMAND_OK, "insert 1 (before the error)"));
  expect_end_of_query("insert 1");
  PGresult* error = expect_result(PGRES_FATAL_ERROR, "division by zero");
  expect_sqlstate(error, "22012", "division by zero");
  PQclear(error);
  expect_end_of_query("division by zero");
  PQclear(expect_result(PGRES_PIPELINE_ABORTED, "insert 2 after the error"));
  expect_end_of_query("insert 2");
  PQclear(expect_result(PGRES_PIPELINE_SYNC, "first sync"));

  PQclear(expect_result(PGRES_COMMAND_OK, "prepare after the sync"));
  expect_end_of_query("prepare");
  PQclear(expect_result(PGRES_COMMAND_OK, "insert 3"));
  expect_end_of_query("insert 3");
  PGresult* rows = expect_result(PGRES_TUPLES_OK, "prepared select");
  /* insert 1 was rolled back with its segment, insert 2 never ran. */
  if (PQntuples(rows) != 1) fail("prepared select: expected 1 row (3), got %d", PQntuples(rows));
  expect_value(rows, 0, 0, "3", "prepared select id");
  expect_value(rows, 0, 1, "three", "prepared select note");
  PQclear(rows);
  expect_end_of_query("prepared select");
  PGresult* described = expect_result(PGRES_COMMAND_OK, "describe prepared");
  if (PQnparams(described) != 1 || PQnfields(described) != 2 || strcmp(PQfname(described, 1), "note") != 0)
    fail("describe prepared: expected 1 parameter and 2 columns (id, note), got %d and %d",
         PQnparams(described), PQnfields(described));
  PQclear(described);
  expect_end_of_query("describe prepared");
  PQclear(expect_result(PGRES_PIPELINE_SYNC, "second sync"));
}

/* A Flush makes the server send what it has without a Sync. */
static void pipeline_flush(void) {
  const char* value[] = {"flushed"};
  send_params("select $1::text", 1, value, "flushed select");
  if (!PQsendFlushRequest(conn) || PQflush(conn) != 0) fail("PQsendFlushRequest");
  PGresult* result = expect_result(PGRES_TUPLES_OK, "result of a flushed query before any sync");
  expect_value(result, 0, 0, "flushed", "flushed select");
  PQclear(result);
  expect_end_of_query("flushed select");
  pipeline_sync();
  PQclear(expect_result(PGRES_PIPELINE_SYNC, "sync after flush"));
}

/* Many queries in flight at once: results come back complete and in order. */
static void pipeline_many(void) {
  char number[16];
  for (int i = 0; i < pipelined_queries; i++) {
    snprintf(number, sizeof number, "%d", i);
    const char* values[] = {number};
    send_params("select $1::int * 2, repeat('x', $1::int)", 1, values, "pipelined select");
  }
  pipeline_sync();
  char expected[16];
  for (int i = 0; i < pipelined_queries; i++) {
    PGresult* result = expect_result(PGRES_TUPLES_OK, "pipelined select");
    snprintf(expected, sizeof expected, "%d", i * 2);
    expect_value(result, 0, 0, expected, "pipelined select, in order");
    if (PQgetlength(result, 0, 1) != i)
      fail("pipelined select %d: text of length %d", i, PQgetlength(result, 0, 1));
    PQclear(result);
    expect_end_of_query("pipelined select");
  }
  PQclear(expect_result(PGRES_PIPELINE_SYNC, "sync after many"));
  if (!PQexitPipelineMode(conn)) fail("PQexitPipelineMode");
}

static int copy_line(char* buffer, size_t size, int id) {
  return snprintf(buffer, size, "%d\tpayload %d with some padding to make the rows longer\n", id, id);
}

/* COPY FROM STDIN in chunks of about 64 KiB, then COPY TO STDOUT row by row. */
static void copy_in_and_out(void) {
  exec_ok("create temp table copy_t (id int, payload text)");
  PGresult* start = PQexec(conn, "copy copy_t from stdin");
  if (PQresultStatus(start) != PGRES_COPY_IN)
    fail("copy from stdin: expected COPY_IN, got %s", status_name(PQresultStatus(start)));
  PQclear(start);
  static char chunk[70000];
  size_t used = 0;
  long long bytes_sent = 0;
  for (int id = 1; id <= copy_rows; id++) {
    used += (size_t)copy_line(chunk + used, sizeof chunk - used, id);
    if (used > 65536 || id == copy_rows) {
      if (PQputCopyData(conn, chunk, (int)used) != 1) fail("PQputCopyData");
      bytes_sent += (long long)used;
      used = 0;
    }
  }
  if (PQputCopyEnd(conn, NULL) != 1) fail("PQputCopyEnd");
  PGresult* done = expect_result(PGRES_COMMAND_OK, "end of COPY IN");
  char expected_rows[16];
  snprintf(expected_rows, sizeof expected_rows, "%d", copy_rows);
  if (strcmp(PQcmdTuples(done), expected_rows) != 0)
    fail("COPY IN: server reports %s rows, expected %s", PQcmdTuples(done), expected_rows);
  PQclear(done);
  if (PQgetResult(conn) != NULL) fail("COPY IN: more results than expected");
  char expected[64];
  snprintf(expected, sizeof expected, "%d|%lld|%lld", copy_rows, (long long)copy_rows * (copy_rows + 1) / 2,
           bytes_sent);
  const char* got = query_value(
      "select count(*) || '|' || sum(id) || '|' || sum(length(id::text) + length(payload) + 2) from copy_t");
  if (strcmp(got, expected) != 0) fail("COPY IN loaded %s, expected count|sum|bytes %s", got, expected);

  PGresult* out = PQexec(conn, "copy (select id, payload from copy_t order by id) to stdout");
  if (PQresultStatus(out) != PGRES_COPY_OUT)
    fail("copy to stdout: expected COPY_OUT, got %s", status_name(PQresultStatus(out)));
  PQclear(out);
  char* row = NULL;
  char line[128];
  int rows = 0, length;
  while ((length = PQgetCopyData(conn, &row, 0)) > 0) {
    rows++;
    int expected_length = copy_line(line, sizeof line, rows);
    if (length != expected_length || memcmp(row, line, (size_t)length) != 0)
      fail("COPY OUT row %d differs: %.*s", rows, length, row);
    PQfreemem(row);
  }
  if (length != -1) fail("PQgetCopyData ended with %d", length);
  if (rows != copy_rows) fail("COPY OUT returned %d rows, expected %d", rows, copy_rows);
  done = expect_result(PGRES_COMMAND_OK, "end of COPY OUT");
  if (strcmp(PQcmdTuples(done), expected_rows) != 0)
    fail("COPY OUT: server reports %s rows", PQcmdTuples(done));
  PQclear(done);
  if (PQgetResult(conn) != NULL) fail("COPY OUT: more results than expected");

  /* Binary COPY OUT: the signature arrives intact (bytes the proxy must not touch). */
  out = PQexec(conn, "copy (select id from copy_t where id <= 3) to stdout (format binary)");
  if (PQresultStatus(out) != PGRES_COPY_OUT) fail("binary copy: expected COPY_OUT");
  PQclear(out);
  long long binary_bytes = 0;
  int first = 1;
  while ((length = PQgetCopyData(conn, &row, 0)) > 0) {
    if (first && (length < 11 || memcmp(row, "PGCOPY\n\377\r\n\0", 11) != 0))
      fail("binary COPY: bad signature");
    first = 0;
    binary_bytes += length;
    PQfreemem(row);
  }
  /* 19-byte header, 3 tuples of 2 + 4 + 4 bytes, 2-byte trailer */
  if (binary_bytes != 19 + 3 * 10 + 2) fail("binary COPY: %lld bytes, expected 51", binary_bytes);
  PQclear(expect_result(PGRES_COMMAND_OK, "end of binary COPY OUT"));
  if (PQgetResult(conn) != NULL) fail("binary COPY OUT: more results than expected");

  /* A client that gives up mid-COPY (CopyFail): the server answers 57014 and
   * nothing of that COPY is kept; the session goes on. */
  PGresult* again = PQexec(conn, "copy copy_t from stdin");
  if (PQresultStatus(again) != PGRES_COPY_IN) fail("second copy from stdin: expected COPY_IN");
  PQclear(again);
  if (PQputCopyData(conn, "-1\tabandoned\n", 13) != 1) fail("PQputCopyData");
  if (PQputCopyEnd(conn, "abandoned by the test") != 1) fail("PQputCopyEnd with an error");
  PGresult* failed = expect_result(PGRES_FATAL_ERROR, "COPY abandoned with CopyFail");
  expect_sqlstate(failed, "57014", "COPY abandoned with CopyFail");
  if (strstr(PQresultErrorMessage(failed), "abandoned by the test") == NULL)
    fail("CopyFail message not relayed: %s", PQresultErrorMessage(failed));
  PQclear(failed);
  if (PQgetResult(conn) != NULL) fail("CopyFail: more results than expected");
  got = query_value("select count(*) from copy_t where id = -1");
  if (strcmp(got, "0") != 0) fail("rows of the abandoned COPY were kept: %s", got);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
    return 2;
  }
  signal(SIGALRM, on_alarm);
  alarm(timeout_seconds);
  conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) fail("cannot connect");
  if (!PQsslInUse(conn)) fail("the connection does not use TLS");

  pipeline_error_skips_to_sync();
  pipeline_flush();
  pipeline_many();
  copy_in_and_out();

  printf(
      "ok: user %s over %s: pipeline (error skips to sync, flush, %d queries in flight), COPY in/out %d "
      "rows\n",
      query_value("select current_user"), PQsslAttribute(conn, "protocol"), pipelined_queries, copy_rows);
  PQfinish(conn);
  return 0;
}
