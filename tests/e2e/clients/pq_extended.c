/* Runs one statement over the extended query protocol, for the bypass suite:
 *   pq_extended CONNINFO MODE SQL [PARAM ...]
 * MODE  params   PQexecParams (unnamed statement: Parse/Bind/Describe/Execute/Sync)
 *       prepare  PQprepare + PQdescribePrepared + PQexecPrepared (named statement)
 * Rows go to stdout, tab-separated; an error goes to stderr as
 * "ERROR <sqlstate> <message>" and the exit status is 1. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

static int report(PGresult* r) {
  ExecStatusType status = PQresultStatus(r);
  if (status == PGRES_TUPLES_OK) {
    for (int row = 0; row < PQntuples(r); ++row) {
      for (int col = 0; col < PQnfields(r); ++col) {
        printf("%s%s", col ? "\t" : "", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
      }
      printf("\n");
    }
    return 0;
  }
  if (status == PGRES_COMMAND_OK) return 0;
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  fprintf(stderr, "ERROR %s %s", state ? state : "-----", PQresultErrorMessage(r));
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: pq_extended CONNINFO params|prepare SQL [PARAM ...]\n");
    return 2;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    fprintf(stderr, "ERROR connect %s", PQerrorMessage(conn));
    return 2;
  }
  const char* const* params = (const char* const*)(argv + 4);
  int n = argc - 4, failed = 0;
  PGresult* r;
  if (strcmp(argv[2], "prepare") == 0) {
    r = PQprepare(conn, "bypass", argv[3], n, NULL);
    failed = report(r);
    PQclear(r);
    if (!failed) {
      r = PQdescribePrepared(conn, "bypass");
      failed = report(r);
      PQclear(r);
    }
    if (!failed) {
      r = PQexecPrepared(conn, "bypass", n, params, NULL, NULL, 0);
      failed = report(r);
      PQclear(r);
    }
  } else {
    r = PQexecParams(conn, argv[3], n, NULL, params, NULL, NULL, 0);
    failed = report(r);
    PQclear(r);
  }
  PQfinish(conn);
  return failed;
}
