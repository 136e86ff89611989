#pragma once
// The client side of a proxy user's session: every Query and Parse goes
// through the rewriter (rewrite/) before the server sees it, and FunctionCall
// is refused. Refused statements are replaced by one the server rejects with
// the proxy's 42501 (rewrite/refusal.hpp), so transaction state, skipping to
// Sync and the order of pipelined responses stay the server's business.
//
// The policy is looked up in the current user directory for every statement,
// so a catalog change (new tags, new rules) applies to open sessions at once.
//
// Passthrough sessions (DBAs logging in with their own PostgreSQL role) get
// only the FunctionCall refusal: FunctionCallRefuser.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/user_directory.hpp"
#include "metrics/registry.hpp"
#include "rewrite/rewrite_cache.hpp"
#include "server/relay.hpp"

namespace gdpr::proxy {

// What the two directions of a session share: the server's current
// standard_conforming_strings (from ParameterStatus), read by the rewriter.
struct StatementSessionState {
  std::atomic<bool> standard_conforming_strings{true};
  // False while the client encoding is one whose multi-byte characters can
  // contain the bytes of a quote or backslash (SJIS, BIG5, GBK, UHC, GB18030,
  // JOHAB): the proxy would not lex such text as the server does.
  std::atomic<bool> client_encoding_safe{true};
};

// Is `encoding` (as in ParameterStatus client_encoding) safe to lex as bytes?
bool client_encoding_is_safe(std::string_view encoding);

struct StatementLimits {
  // Longest Query/Parse the proxy checks; longer ones are refused.
  std::size_t max_statement_bytes = 4u << 20;
};

class StatementInterceptor final : public MessageInterceptor {
 public:
  StatementInterceptor(std::uint64_t session_id, std::string user, std::string policy,
                       std::shared_ptr<UserDirectory> directory, rewrite::RewriteCache& cache,
                       StatementSessionState& state, StatementLimits limits,
                       metrics::Registry* metrics = nullptr);

  bool wants_whole(std::uint8_t type) const override { return type == 'Q' || type == 'P' || type == 'F'; }
  std::size_t max_whole_bytes() const override { return limits_.max_statement_bytes; }
  std::optional<wire::Bytes> intercept(const protocol::MessageHeader& header, wire::ByteView raw) override;
  wire::Bytes oversized(const protocol::MessageHeader& header) override;

  std::uint64_t statements() const { return statements_; }
  std::uint64_t refused() const { return refused_; }

 private:
  // nullopt: forward the original text.
  std::optional<std::string> check(const std::string& sql);
  wire::Bytes refuse(char type, const std::string& message, const std::string& hint);

  std::uint64_t session_id_;
  std::string user_;
  std::string policy_;
  std::shared_ptr<UserDirectory> directory_;
  rewrite::RewriteCache& cache_;
  StatementSessionState& state_;
  StatementLimits limits_;
  metrics::Registry* metrics_;
  std::uint64_t statements_ = 0;
  std::uint64_t refused_ = 0;
};

// For passthrough sessions: FunctionCall refused, everything else untouched.
class FunctionCallRefuser final : public MessageInterceptor {
 public:
  explicit FunctionCallRefuser(std::uint64_t session_id) : session_id_(session_id) {}
  bool wants_whole(std::uint8_t type) const override { return type == 'F'; }
  std::size_t max_whole_bytes() const override { return 0; }  // never needs the body
  std::optional<wire::Bytes> intercept(const protocol::MessageHeader& header, wire::ByteView raw) override;
  wire::Bytes oversized(const protocol::MessageHeader& header) override;

 private:
  std::uint64_t session_id_;
};

// Messages the interceptors send instead of the client's.
wire::Bytes query_message(const std::string& sql);
wire::Bytes parse_message(const std::string& name, const std::string& sql, wire::ByteView parameter_types);

}  // namespace gdpr::proxy
