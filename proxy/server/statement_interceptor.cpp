#include "server/statement_interceptor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>

#include "rewrite/refusal.hpp"

namespace gdpr::proxy {
namespace {

constexpr const char* kFunctionCallMessage =
    "gdpr-proxy refused a FunctionCall message: the fast-path interface bypasses statement checks";
constexpr const char* kFunctionCallHint =
    "Call the function in a SELECT instead (psql's \\lo_import and \\lo_export use the fast path; use "
    "lo_import()/lo_export() in SQL or COPY).";

// The text of a Query message; nullopt when it is not exactly one C string.
std::optional<std::string> query_text(wire::ByteView raw) {
  const auto body = raw.subspan(protocol::kMessageHeaderSize);
  if (body.empty() || body.back() != 0) return std::nullopt;
  const std::string text(reinterpret_cast<const char*>(body.data()), body.size() - 1);
  if (text.find('\0') != std::string::npos) return std::nullopt;
  return text;
}

struct ParseMessage {
  std::string name;
  std::string query;
  wire::ByteView parameter_types;  // Int16 n, Int32[n], as received
};

std::optional<ParseMessage> parse_parse(wire::ByteView raw) {
  const auto body = raw.subspan(protocol::kMessageHeaderSize);
  wire::Reader reader(body);
  ParseMessage m;
  auto name = reader.cstring();
  auto query = reader.cstring();
  if (!name || !query) return std::nullopt;
  m.name = std::move(*name);
  m.query = std::move(*query);
  m.parameter_types = body.subspan(body.size() - reader.remaining());
  wire::Reader types(m.parameter_types);
  const auto n = types.u16();
  if (!n || types.remaining() != std::size_t{*n} * 4) return std::nullopt;
  return m;
}

wire::Bytes no_parameter_types() { return {0, 0}; }

}  // namespace

bool client_encoding_is_safe(std::string_view encoding) {
  std::string upper(encoding);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* unsafe : {"SJIS", "SHIFT_JIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "WIN932",
                             "WIN936", "WIN949", "WIN950", "CP932", "CP936", "CP949", "CP950"}) {
    if (upper == unsafe) return false;
  }
  return true;
}

wire::Bytes query_message(const std::string& sql) {
  wire::MessageBuilder builder('Q');
  builder.body().cstring(sql);
  return std::move(builder).finish();
}

wire::Bytes parse_message(const std::string& name, const std::string& sql, wire::ByteView parameter_types) {
  wire::MessageBuilder builder('P');
  auto body = builder.body();
  body.cstring(name);
  body.cstring(sql);
  body.bytes(parameter_types);
  return std::move(builder).finish();
}

StatementInterceptor::StatementInterceptor(std::uint64_t session_id, std::string user, std::string policy,
                                           std::shared_ptr<UserDirectory> directory,
                                           rewrite::RewriteCache& cache, StatementSessionState& state,
                                           StatementLimits limits, metrics::Registry* metrics)
    : session_id_(session_id),
      user_(std::move(user)),
      policy_(std::move(policy)),
      directory_(std::move(directory)),
      cache_(cache),
      state_(state),
      limits_(limits),
      metrics_(metrics) {}

std::optional<std::string> StatementInterceptor::check(const std::string& sql) {
  ++statements_;
  const auto directory = directory_->snapshot();
  const auto policy = directory->policy(policy_);
  if (!policy) {
    ++refused_;
    spdlog::warn("session {}: policy {} of \"{}\" no longer exists; statement refused", session_id_, policy_,
                 user_);
    return rewrite::refusal_sql(rewrite::Refusal{
        fmt::format("gdpr-proxy refused the statement: the policy \"{}\" no longer exists", policy_),
        "Ask the DBA which policy you belong to now, and log in again."});
  }
  if (policy->masked && !state_.client_encoding_safe.load(std::memory_order_relaxed)) {
    ++refused_;
    spdlog::info("session {}: \"{}\" (policy {}): statement refused under an unsafe client_encoding",
                 session_id_, user_, policy_);
    return rewrite::refusal_sql(rewrite::Refusal{
        "gdpr-proxy refused the statement: masked sessions do not accept this client_encoding",
        "Use client_encoding UTF8 (or a single-byte encoding): SJIS, BIG5, GBK, UHC, GB18030 and JOHAB can "
        "hide "
        "quotes inside characters."});
  }
  bool hit = false;
  auto result =
      cache_.rewrite(sql, *policy, state_.standard_conforming_strings.load(std::memory_order_relaxed), &hit);
  if (metrics_) (hit ? metrics_->rewrite_cache_hits : metrics_->rewrite_cache_misses).add();
  switch (result.kind) {
    case rewrite::RewriteResult::Kind::unchanged:
      return std::nullopt;
    case rewrite::RewriteResult::Kind::rewritten:
      return std::move(result.text);
    case rewrite::RewriteResult::Kind::refused:
      ++refused_;
      // The statement itself is not logged: it may carry personal data.
      spdlog::info("session {}: \"{}\" (policy {}): {}", session_id_, user_, policy_, result.message);
      return std::move(result.text);
  }
  return std::nullopt;
}

wire::Bytes StatementInterceptor::refuse(char type, const std::string& message, const std::string& hint) {
  ++refused_;
  spdlog::info("session {}: \"{}\" (policy {}): {}", session_id_, user_, policy_, message);
  const auto sql = rewrite::refusal_sql(rewrite::Refusal{message, hint});
  if (type == 'P') return parse_message("", sql, no_parameter_types());
  return query_message(sql);
}

std::optional<wire::Bytes> StatementInterceptor::intercept(const protocol::MessageHeader&,
                                                           wire::ByteView raw) {
  const char type = static_cast<char>(raw[0]);
  if (type == 'F') return refuse('F', kFunctionCallMessage, kFunctionCallHint);
  if (type == 'Q') {
    const auto text = query_text(raw);
    if (!text) return refuse('Q', "gdpr-proxy refused a malformed Query message", {});
    auto replacement = check(*text);
    if (!replacement) return std::nullopt;
    return query_message(*replacement);
  }
  if (type == 'P') {
    const auto parse = parse_parse(raw);
    if (!parse) return refuse('P', "gdpr-proxy refused a malformed Parse message", {});
    auto replacement = check(parse->query);
    if (!replacement) return std::nullopt;
    return parse_message(parse->name, *replacement, parse->parameter_types);
  }
  return std::nullopt;
}

wire::Bytes StatementInterceptor::oversized(const protocol::MessageHeader& header) {
  const char type = header.format->type;
  if (type == 'F') return refuse('F', kFunctionCallMessage, kFunctionCallHint);
  return refuse(
      type,
      fmt::format("gdpr-proxy refused a statement of {} bytes: it checks statements up to {} bytes",
                  header.body_length, limits_.max_statement_bytes),
      "Send smaller statements (e.g. several INSERTs, or COPY ... FROM STDIN for bulk data); the DBA "
      "can raise [limits] max_statement_bytes.");
}

std::optional<wire::Bytes> FunctionCallRefuser::intercept(const protocol::MessageHeader& header,
                                                          wire::ByteView) {
  return oversized(header);
}

wire::Bytes FunctionCallRefuser::oversized(const protocol::MessageHeader&) {
  spdlog::info("session {}: FunctionCall refused", session_id_);
  // A passthrough database may not have the extension: raise from PL/pgSQL,
  // which every database has unless the DBA dropped it.
  return query_message(fmt::format(
      "DO $gdpr$BEGIN RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = '{}', HINT = '{}'; END$gdpr$",
      kFunctionCallMessage, "Call the function in a SELECT instead."));
}

}  // namespace gdpr::proxy
