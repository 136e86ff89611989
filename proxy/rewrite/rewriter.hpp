#pragma once
// The statement rewriter of masked and unmasked proxy sessions: the one entry
// point the session calls for the text of every Query and Parse message.
//
//   unchanged  forward the message as it is
//   rewritten  forward `text` instead (tagged tables read through the views)
//   refused    forward `text` = refusal_sql(...): the server raises 42501
//
// In masked sessions anything the parser rejects is refused (fail closed:
// never forward what was not understood); unmasked sessions get the server's
// own syntax error. Several statements in one string are all checked; one
// refusal refuses the whole string, so none of it runs.

#include <cstdint>
#include <string>

#include "rewrite/policy_catalog.hpp"

namespace gdpr::proxy::rewrite {

struct RewriteResult {
  enum class Kind : std::uint8_t { unchanged, rewritten, refused };
  Kind kind = Kind::unchanged;
  std::string text;     // rewritten or refusal SQL
  std::string message;  // refused: the refusal's message, for the log
};

RewriteResult rewrite_statement(const std::string& sql, const PolicyCatalog& policy,
                                bool standard_conforming_strings);

}  // namespace gdpr::proxy::rewrite
