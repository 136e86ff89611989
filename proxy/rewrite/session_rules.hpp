#pragma once
// What no proxy user may do, masked or not: change who they are (role,
// session authorization, gdpr.actor), reset the identity the proxy gave the
// session, change the settings their policy's role shares with every other
// user of the policy, load code, change the server's configuration, or make
// the server read or write files and run programs. Masked users may also not
// EXPLAIN statements on tagged tables (row estimates are an oracle) nor turn
// off standard_conforming_strings (the proxy must lex statements as the
// server does).
//
// Checked on the parse tree, at any depth: a SET clause of CREATE FUNCTION
// is caught as surely as a top-level SET.

#include <optional>

#include "rewrite/parse_tree.hpp"
#include "rewrite/policy_catalog.hpp"
#include "rewrite/refusal.hpp"

namespace gdpr::proxy::rewrite {

std::optional<Refusal> check_session_rules(const Json& tree, const PolicyCatalog& policy);

}  // namespace gdpr::proxy::rewrite
