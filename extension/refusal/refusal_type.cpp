// gdpr_public.refusal: a type whose input function always fails, so that gdpr-proxy
// can make the *server* refuse a statement.
//
// When the proxy refuses a client's statement it does not answer the client
// itself: it replaces the statement with
//     SELECT $gdpr$<message>\n<hint>$gdpr$::gdpr_public.refusal
// The literal is coerced to the type while the statement is analysed, so the
// server raises 42501 with the proxy's message at Parse (extended protocol) or
// at once (simple protocol). The server's own state machine then does the
// rest: an open transaction is marked failed, messages up to Sync are skipped,
// ReadyForQuery carries the right status, and responses stay in order in a
// pipeline. Anyone may use the type; all it can do is raise an error.
extern "C" {
#include "postgres.h"

#include "fmgr.h"
}

#include <string>
#include <string_view>

#include "pg/error.hpp"
#include "pg/invoke.hpp"

namespace {

Datum refusal_in(FunctionCallInfo fcinfo) {
  const std::string_view input(PG_GETARG_CSTRING(0));
  const auto newline = input.find('\n');
  std::string message(input.substr(0, newline));
  std::string hint(newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1));
  if (message.empty()) message = "statement refused by gdpr-proxy";
  throw gdpr::Error(gdpr::sqlstate::insufficient_privilege, message, {}, hint);
}

// No value of the type can exist; the output function is required by CREATE TYPE.
Datum refusal_out(FunctionCallInfo) { PG_RETURN_CSTRING(pstrdup("refused")); }

}  // namespace

GDPR_SQL_FUNCTION(gdpr_refusal_in, refusal_in)
GDPR_SQL_FUNCTION(gdpr_refusal_out, refusal_out)
