// The session's statement interceptor and server message filter on their
// own: what they send instead of a client's Query/Parse/FunctionCall, and how
// they scrub the server's errors. The rewriting itself is rewriter_test.cpp;
// end to end with a real server it is tests/e2e/masking_bypass.sh.
#include <gtest/gtest.h>

#include "protocol/decoder.hpp"
#include "protocol/field_message.hpp"
#include "server/server_message_filter.hpp"
#include "server/statement_interceptor.hpp"

namespace gdpr::proxy {
namespace {

std::shared_ptr<UserDirectory> directory_with_agent() {
  auto directory = std::make_shared<UserDirectory>();
  auto snapshot = std::make_shared<Directory>();
  auto policy = std::make_shared<rewrite::PolicyCatalog>();
  policy->name = "agent";
  policy->masked = true;
  policy->generation = 7;
  policy->tables.push_back({"public", "calls", "gdpr_mask_agent", "calls", {"caller"}});
  snapshot->policies.emplace("agent", policy);
  snapshot->generation = 7;
  directory->replace(snapshot);
  return directory;
}

protocol::MessageHeader header_of(const wire::Bytes& raw) {
  return protocol::MessageHeader{protocol::find_message_format(protocol::Direction::frontend, raw[0]),
                                 static_cast<std::uint32_t>(raw.size() - 5)};
}

std::string query_of(const wire::Bytes& q) {
  return std::string(reinterpret_cast<const char*>(q.data() + 5), q.size() - 6);
}

struct StatementInterceptorTest : ::testing::Test {
  rewrite::RewriteCache cache;
  StatementSessionState state;
  StatementInterceptor interceptor{
      1, "anna", "agent", directory_with_agent(), cache, state, StatementLimits{4096}};
};

TEST_F(StatementInterceptorTest, QueryIsRewrittenOrForwarded) {
  const auto q = query_message("SELECT caller FROM calls");
  const auto out = interceptor.intercept(header_of(q), q);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)[0], 'Q');
  EXPECT_EQ(query_of(*out), R"(SELECT caller FROM "gdpr_mask_agent"."calls" AS "calls")");
  const auto untouched = query_message("SELECT 1");
  EXPECT_FALSE(interceptor.intercept(header_of(untouched), untouched));
  // The same statement again comes from the cache.
  interceptor.intercept(header_of(q), q);
  EXPECT_EQ(cache.hits(), 1u);
}

TEST_F(StatementInterceptorTest, ParseKeepsNameAndParameterTypes) {
  const std::uint8_t types[] = {0, 2, 0, 0, 0, 23, 0, 0, 0, 25};
  const auto p = parse_message("s1", "SELECT caller FROM calls WHERE id = $1 AND caller = $2", types);
  const auto out = interceptor.intercept(header_of(p), p);
  ASSERT_TRUE(out);
  const auto expected = parse_message(
      "s1", R"(SELECT caller FROM "gdpr_mask_agent"."calls" AS "calls" WHERE id = $1 AND caller = $2)",
      types);
  EXPECT_EQ(*out, expected);
}

TEST_F(StatementInterceptorTest, RefusalsBecomeRefusalStatements) {
  const auto q = query_message("SET ROLE postgres");
  const auto out = interceptor.intercept(header_of(q), q);
  ASSERT_TRUE(out);
  EXPECT_TRUE(query_of(*out).starts_with("SELECT $gdpr$gdpr-proxy refused SET ROLE"));
  EXPECT_EQ(interceptor.refused(), 1u);
}

TEST_F(StatementInterceptorTest, FunctionCallAndOversizedStatementsAreRefused) {
  wire::MessageBuilder f('F');
  f.body().u32(1234);
  f.body().u16(0);
  f.body().u16(0);
  f.body().u16(0);
  const auto call = std::move(f).finish();
  const auto out = interceptor.intercept(header_of(call), call);
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)[0], 'Q');  // answered by the server: ErrorResponse, ReadyForQuery
  EXPECT_NE(query_of(*out).find("FunctionCall"), std::string::npos);

  const auto big = query_message("SELECT '" + std::string(5000, 'x') + "'");
  const auto refused = interceptor.oversized(header_of(big));
  EXPECT_NE(query_of(refused).find("statement of"), std::string::npos);
  const auto big_parse =
      parse_message("s2", "SELECT '" + std::string(5000, 'x') + "'", std::vector<std::uint8_t>{0, 0});
  const auto refused_parse = interceptor.oversized(header_of(big_parse));
  EXPECT_EQ(refused_parse[0], 'P');  // a Parse error: the server skips to Sync
}

TEST_F(StatementInterceptorTest, MalformedMessagesAreRefused) {
  wire::Bytes q = query_message("SELECT 1");
  q.insert(q.begin() + 8, 0);  // a NUL inside the text
  q[4] = static_cast<std::uint8_t>(q.size() - 1);
  const auto out = interceptor.intercept(header_of(q), q);
  ASSERT_TRUE(out);
  EXPECT_NE(query_of(*out).find("malformed Query"), std::string::npos);
}

TEST_F(StatementInterceptorTest, UnsafeClientEncodingRefusesEverything) {
  EXPECT_FALSE(client_encoding_is_safe("SJIS"));
  EXPECT_FALSE(client_encoding_is_safe("big5"));
  EXPECT_TRUE(client_encoding_is_safe("UTF8"));
  EXPECT_TRUE(client_encoding_is_safe("LATIN1"));
  state.client_encoding_safe = false;
  const auto q = query_message("SELECT 1");
  const auto out = interceptor.intercept(header_of(q), q);
  ASSERT_TRUE(out);
  EXPECT_NE(query_of(*out).find("client_encoding"), std::string::npos);
}

protocol::FieldMessage error(std::string code, std::string message, std::string detail = {}) {
  protocol::FieldMessage m;
  m.fields = {{'S', "ERROR"}, {'C', std::move(code)}, {'M', std::move(message)}};
  if (!detail.empty()) m.fields.emplace_back('D', std::move(detail));
  return m;
}

TEST(ScrubFields, ValuesInIntegrityAndDataErrorsAreHidden) {
  auto unique = error("23505", "duplicate key value violates unique constraint \"contacts_email_key\"",
                      "Key (email)=(jana@example.sk) already exists.");
  EXPECT_TRUE(scrub_fields(unique, true));
  EXPECT_EQ(unique.find('D')->find("jana"), std::string::npos);
  EXPECT_EQ(*unique.find('C'), "23505");

  auto cast = error("22P02", "invalid input syntax for type integer: \"+421905123456\"");
  EXPECT_TRUE(scrub_fields(cast, true));
  EXPECT_EQ(*cast.find('M'), "invalid input syntax for type integer: \"[hidden by gdpr-proxy]\"");

  auto check = error("23514", "new row violates check constraint", "Failing row contains (1, jana).");
  EXPECT_TRUE(scrub_fields(check, true));
  EXPECT_EQ(check.find('D')->find("jana"), std::string::npos);

  // Unmasked sessions and other errors are left alone.
  auto same = error("23505", "duplicate", "Key (email)=(jana@example.sk) already exists.");
  EXPECT_FALSE(scrub_fields(same, false));
  auto other = error("42P01", "relation \"x\" does not exist");
  EXPECT_FALSE(scrub_fields(other, true));
}

TEST(ScrubFields, OwnRefusalsLosePositionAndContext) {
  auto refusal = error("42501", "gdpr-proxy refused SET ROLE: proxy sessions cannot change their role");
  refusal.fields.emplace_back('P', "8");
  refusal.fields.emplace_back('W', "PL/pgSQL function inline_code_block line 1 at RAISE");
  EXPECT_TRUE(scrub_fields(refusal, false));
  EXPECT_EQ(refusal.find('P'), nullptr);
  EXPECT_EQ(refusal.find('W'), nullptr);
  // Round trip through the wire format.
  const auto raw = refusal.serialize();
  const auto back = protocol::FieldMessage::parse(raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->fields, refusal.fields);
}

}  // namespace
}  // namespace gdpr::proxy
