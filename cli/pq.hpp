#pragma once
// The libpq layer: a connection, results, and the mapping from server errors
// to gdprctl's exit codes. Nothing else in gdprctl talks to libpq directly
// except through the PGresult accessors below.

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gdprctl {

// Everything that ends a command early carries the exit code it maps to. main()
// prints it (message, detail, hint, SQLSTATE) and exits with that code.
class Failure : public std::runtime_error {
 public:
  Failure(int exit_code, const std::string& message, std::string hint = {}, std::string detail = {},
          std::string sqlstate = {})
      : std::runtime_error(message),
        exit_code(exit_code),
        hint(std::move(hint)),
        detail(std::move(detail)),
        sqlstate(std::move(sqlstate)) {}
  int exit_code;
  std::string hint;
  std::string detail;
  std::string sqlstate;
};

// Connection options the libpq way: each empty field is left to libpq's own
// defaults (PG* environment variables, service file). `dbname` may be a
// conninfo string or URI ("service=x", "host=... sslmode=require").
struct ConnectOptions {
  std::string host;
  std::string port;
  std::string user;
  std::string dbname;
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

using Params = std::vector<std::optional<std::string>>;

class Connection {
 public:
  // Connects (prompting for a password on a terminal when the server asks for
  // one and none was given). Throws Failure(exit_code::connection).
  static Connection open(const ConnectOptions& options);

  // Runs one statement; throws Failure for an error (see map_server_error).
  Result exec(const std::string& sql, const Params& params = {});

  // Runs one query in single-row mode, calling on_row for each row as it
  // arrives: the client never holds more than one row of the result.
  void stream(const std::string& sql, const Params& params,
              const std::function<void(const PGresult*)>& on_row);

  // True when a function with this signature exists (to_regprocedure).
  bool has_function(const std::string& signature);

  std::string database() const;
  PGconn* raw() const { return conn_.get(); }

 private:
  struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit Connection(PGconn* c) : conn_(c) {}
  [[noreturn]] void fail(const PGresult* r) const;
  std::unique_ptr<PGconn, ConnDeleter> conn_;
};

// Maps a failed result to a Failure with the right exit code.
Failure map_server_error(const PGresult* r, PGconn* conn);

// Accessors for one field of a result.
inline bool is_null(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }
inline std::string text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
std::optional<std::string> opt_text(const PGresult* r, int row, int col);
long long integer(const PGresult* r, int row, int col);

}  // namespace gdprctl
