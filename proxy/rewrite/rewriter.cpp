#include "rewrite/rewriter.hpp"

#include <fmt/format.h>

#include "rewrite/refusal.hpp"
#include "rewrite/relation_rewriter.hpp"
#include "rewrite/session_rules.hpp"
#include "rewrite/sql_parser.hpp"

namespace gdpr::proxy::rewrite {
namespace {

RewriteResult refused(const Refusal& refusal) {
  return RewriteResult{RewriteResult::Kind::refused, refusal_sql(refusal), refusal.message};
}

}  // namespace

RewriteResult rewrite_statement(const std::string& sql, const PolicyCatalog& policy, bool scs) {
  auto parsed = parse_sql(sql, scs);
  if (const auto* failure = std::get_if<ParseFailure>(&parsed)) {
    // Unmasked sessions see every value anyway: the server reports its own
    // syntax error (42601), exactly as without the proxy. The identity rules
    // are the database's too (gdpr.actor is fixed; roles need membership).
    if (!policy.masked) return {};
    return refused(Refusal{
        fmt::format("gdpr-proxy refused a statement it cannot parse: {}{}", failure->message,
                    failure->cursor_position > 0 ? fmt::format(" (at character {})", failure->cursor_position)
                                                 : std::string{}),
        "gdpr-proxy forwards only statements PostgreSQL 15's parser accepts; fix the syntax."});
  }
  const auto& tree = std::get<ParsedSql>(parsed);
  if (const auto refusal = check_session_rules(tree.tree, policy)) return refused(*refusal);
  if (!policy.masked) return {};

  auto edits = rewrite_relations(tree, policy);
  if (const auto* refusal = std::get_if<Refusal>(&edits)) return refused(*refusal);
  auto& list = std::get<std::vector<Edit>>(edits);
  if (list.empty()) return {};
  auto text = apply_edits(sql, std::move(list));
  if (!text) {
    return refused(Refusal{"gdpr-proxy refused a statement it could not rewrite (overlapping references)",
                           "Report the statement to the DBA."});
  }
  return RewriteResult{RewriteResult::Kind::rewritten, std::move(*text), {}};
}

}  // namespace gdpr::proxy::rewrite
