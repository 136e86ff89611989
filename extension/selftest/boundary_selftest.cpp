// SQL-callable checks of the C++/PostgreSQL boundary (pg/), run by pg_regress
// (regress/sql/boundary.sql). They live in schema gdpr and are not granted to
// PUBLIC: they exist to prove that
//   - a C++ exception surfaces as a clean ERROR with its SQLSTATE, and
//   - a PostgreSQL ERROR raised under pg::guard unwinds C++ destructors.
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
}

#include <stdexcept>
#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

int live_tracked_objects = 0;

// Counts how many are alive, so a test can see that unwinding destroyed them.
struct Tracked {
  std::string payload = std::string(64, 'x');  // a real heap allocation to leak
  Tracked() { ++live_tracked_objects; }
  ~Tracked() { --live_tracked_objects; }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
};

std::string text_arg(FunctionCallInfo fcinfo, int n) {
  // text_to_cstring only fails on out-of-memory; guarded like everything else.
  char* s = gdpr::pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
  std::string out(s);
  pfree(s);
  return out;
}

Datum boundary_selftest(FunctionCallInfo fcinfo) {
  const std::string kind = text_arg(fcinfo, 0);
  Tracked outer;
  std::vector<Tracked> inner(3);
  if (kind == "cpp_error") {
    throw gdpr::Error(gdpr::sqlstate::invalid_parameter_value, "C++ raised this error",
                      "It crossed into PostgreSQL through invoke_cpp.", "This is what a hint looks like.");
  }
  if (kind == "std_exception") {
    throw std::runtime_error("a std::exception from C++");
  }
  if (kind == "bad_alloc") {
    throw std::bad_alloc();
  }
  if (kind == "pg_error") {
    // int4div(1, 0) ereports division_by_zero from inside guarded C++ code.
    Datum r =
        gdpr::pg::guard([] { return DirectFunctionCall2(int4div, Int32GetDatum(1), Int32GetDatum(0)); });
    (void)r;
  }
  if (kind == "ok") {
    return gdpr::pg::guard([] { return CStringGetTextDatum("ok"); });
  }
  throw gdpr::Error(gdpr::sqlstate::invalid_parameter_value, "unknown self-test \"" + kind + "\"", "",
                    "Use one of: ok, cpp_error, std_exception, bad_alloc, pg_error.");
}

Datum boundary_live_objects(FunctionCallInfo /*fcinfo*/) { return Int32GetDatum(live_tracked_objects); }

}  // namespace

GDPR_SQL_FUNCTION(gdpr_boundary_selftest, boundary_selftest)
GDPR_SQL_FUNCTION(gdpr_boundary_live_objects, boundary_live_objects)
