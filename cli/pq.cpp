#include "pq.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "exit_codes.hpp"
#include "interrupt.hpp"

namespace gdprctl {
namespace {

std::string field(const PGresult* r, int code) {
  const char* v = r ? PQresultErrorField(r, code) : nullptr;
  return v ? v : "";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Reads a password from the terminal without echo; empty when there is none.
std::optional<std::string> prompt_password(const std::string& user) {
  if (!isatty(STDIN_FILENO)) return std::nullopt;
  std::cerr << "Password for user " << user << ": " << std::flush;
  termios old{};
  const bool have_termios = tcgetattr(STDIN_FILENO, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (have_termios) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << '\n';
  return password;
}

PGconn* connect_with(const ConnectOptions& o, const std::optional<std::string>& password) {
  // dbname first: with expand_dbname a conninfo string in it is expanded, and
  // the explicit -h/-p/-U that follow override what it says.
  std::vector<const char*> keys;
  std::vector<const char*> values;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) {
      keys.push_back(k);
      values.push_back(v.c_str());
    }
  };
  add("dbname", o.dbname);
  add("host", o.host);
  add("port", o.port);
  add("user", o.user);
  if (password) add("password", *password);
  keys.push_back("fallback_application_name");
  values.push_back("gdprctl");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PQconnectdbParams(keys.data(), values.data(), 1);
}

}  // namespace

Connection Connection::open(const ConnectOptions& options) {
  PGconn* c = connect_with(options, std::nullopt);
  if (c && PQstatus(c) == CONNECTION_BAD && PQconnectionNeedsPassword(c)) {
    const std::string user = PQuser(c) ? PQuser(c) : "";
    if (auto password = prompt_password(user)) {
      PQfinish(c);
      c = connect_with(options, password);
    }
  }
  if (!c) throw Failure(exit_code::connection, "cannot connect: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(c));
    PQfinish(c);
    throw Failure(exit_code::connection, "cannot connect to the database: " + message,
                  "Give the server with -h HOST -p PORT -U USER -d DBNAME (or a conninfo string / "
                  "service=NAME in -d, or PGHOST, PGPORT, PGUSER, PGDATABASE).");
  }
  // Results in a predictable form whatever the server's and the locale's defaults.
  Connection conn(c);
  if (PQsetClientEncoding(c, "UTF8") != 0) {
    throw Failure(exit_code::connection,
                  "cannot set the client encoding to UTF8: " + trimmed(PQerrorMessage(c)));
  }
  conn.exec("SET datestyle = 'ISO, YMD'");
  conn.exec("SET intervalstyle = 'postgres'");
  return conn;
}

std::string Connection::database() const { return PQdb(conn_.get()) ? PQdb(conn_.get()) : ""; }

void Connection::fail(const PGresult* r) const { throw map_server_error(r, conn_.get()); }

Result Connection::exec(const std::string& sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  Result r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r.get());
  return r;
}

void Connection::stream(const std::string& sql, const Params& params,
                        const std::function<void(const PGresult*)>& on_row) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                         nullptr, nullptr, 0)) {
    fail(nullptr);
  }
  PQsetSingleRowMode(conn_.get());
  std::optional<Failure> failure;
  // Every result is consumed, even after an error, so the connection stays usable.
  while (Result r{PQgetResult(conn_.get())}) {
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_SINGLE_TUPLE) {
      if (!failure) {
        try {
          on_row(r.get());
        } catch (const Failure& f) {
          failure = f;
          PGcancel* cancel = PQgetCancel(conn_.get());
          char errbuf[256];
          if (cancel) PQcancel(cancel, errbuf, sizeof errbuf);
          PQfreeCancel(cancel);
        }
      }
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && !failure) {
      failure = map_server_error(r.get(), conn_.get());
    }
  }
  if (failure) throw *failure;
}

bool Connection::has_function(const std::string& signature) {
  Result r = exec("SELECT pg_catalog.to_regprocedure($1) IS NOT NULL", {signature});
  return text(r.get(), 0, 0) == "t";
}

Failure map_server_error(const PGresult* r, PGconn* conn) {
  std::string message = field(r, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = trimmed(conn ? PQerrorMessage(conn) : "unknown error");
  const std::string sqlstate = field(r, PG_DIAG_SQLSTATE);
  std::string hint = field(r, PG_DIAG_MESSAGE_HINT);
  const std::string detail = field(r, PG_DIAG_MESSAGE_DETAIL);

  if (conn && PQstatus(conn) == CONNECTION_BAD) {
    return Failure(exit_code::connection, "lost the connection to the server: " + message, hint, detail,
                   sqlstate);
  }
  if (sqlstate == "42501") {
    if (hint.empty())
      hint = "Compliance requests need membership in the role gdpr_dpo: GRANT gdpr_dpo TO <you>;";
    return Failure(exit_code::permission, message, hint, detail, sqlstate);
  }
  if (sqlstate == "57014" && interrupt::requested()) {
    return Failure(exit_code::cancelled, "interrupted: the request was cancelled", {}, {}, sqlstate);
  }
  if (sqlstate == "42883" || sqlstate == "42P01" || sqlstate == "3F000") {
    // The server's hint ("add explicit type casts") would mislead: the function is ours.
    hint = "Is the gdpr extension installed in this database (CREATE EXTENSION gdpr), and up to date?";
    return Failure(exit_code::not_available, message, hint, detail, sqlstate);
  }
  if (sqlstate.starts_with("08")) return Failure(exit_code::connection, message, hint, detail, sqlstate);
  if (sqlstate.starts_with("22")) return Failure(exit_code::usage, message, hint, detail, sqlstate);
  return Failure(exit_code::server_error, message, hint, detail, sqlstate);
}

std::optional<std::string> opt_text(const PGresult* r, int row, int col) {
  if (is_null(r, row, col)) return std::nullopt;
  return text(r, row, col);
}

long long integer(const PGresult* r, int row, int col) {
  return is_null(r, row, col) ? 0 : std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}

}  // namespace gdprctl
