#pragma once
// A statement gdpr-proxy will not forward, and how it is refused.
//
// The proxy never answers a refused statement itself (it would have to fake
// the server's transaction state and the ordering of pipelined responses).
// It replaces the statement with one the server rejects at parse analysis
// with SQLSTATE 42501 and the proxy's message: the extension's type
// gdpr_public.refusal raises its literal as the error.

#include <string>
#include <string_view>

namespace gdpr::proxy::rewrite {

struct Refusal {
  std::string message;  // "gdpr-proxy refused <what>: <why>"
  std::string hint;     // what to do instead
};

// SELECT $tag$message\nhint$tag$::gdpr_public.refusal
std::string refusal_sql(const Refusal& refusal);

// Every message the proxy raises starts with this, so the response filter can
// recognise its own errors (and drop the position pointing into refusal_sql).
inline constexpr std::string_view kRefusalPrefix = "gdpr-proxy refused ";

}  // namespace gdpr::proxy::rewrite
