// The statement rewriter on its own: PostgreSQL's parser (libpg_query) and a
// policy catalog shaped like the demo's agent policy. What the server then
// does with the rewritten text is tested end to end in tests/e2e/masking_*.
#include <gtest/gtest.h>

#include "rewrite/rewriter.hpp"

namespace gdpr::proxy::rewrite {
namespace {

PolicyCatalog agent_policy() {
  PolicyCatalog p;
  p.name = "agent";
  p.masked = true;
  p.tables.push_back(
      {"public", "calls", "gdpr_mask_agent", "calls", {"caller", "callee", "recording", "transcript"}});
  p.tables.push_back(
      {"public", "customers", "gdpr_mask_agent", "customers", {"email", "phone", "full_name"}});
  p.tables.push_back({"crm", "Notes", "gdpr_mask_agent", "crm_Notes", {"body"}});
  return p;
}

PolicyCatalog supervisor_policy() {
  PolicyCatalog p = agent_policy();
  p.name = "supervisor";
  p.masked = false;
  return p;
}

std::string rewritten(const std::string& sql, bool scs = true) {
  const auto r = rewrite_statement(sql, agent_policy(), scs);
  EXPECT_EQ(r.kind, RewriteResult::Kind::rewritten) << sql << "\n -> " << r.text << " " << r.message;
  return r.text;
}

void expect_unchanged(const std::string& sql, const PolicyCatalog& policy = agent_policy()) {
  const auto r = rewrite_statement(sql, policy, true);
  EXPECT_EQ(r.kind, RewriteResult::Kind::unchanged) << sql << "\n -> " << r.text << " " << r.message;
}

std::string refused(const std::string& sql, const PolicyCatalog& policy = agent_policy(), bool scs = true) {
  const auto r = rewrite_statement(sql, policy, scs);
  EXPECT_EQ(r.kind, RewriteResult::Kind::refused) << sql << "\n -> " << r.text;
  if (r.kind == RewriteResult::Kind::refused) {
    EXPECT_TRUE(r.message.starts_with("gdpr-proxy refused ")) << r.message;
    EXPECT_TRUE(r.text.starts_with("SELECT $gdpr$gdpr-proxy refused ")) << r.text;
    EXPECT_TRUE(r.text.ends_with("$gdpr$::gdpr_public.refusal")) << r.text;
  }
  return r.message;
}

constexpr const char* kCalls = R"("gdpr_mask_agent"."calls")";

TEST(Rewriter, PlainSelectGetsTheViewAndTheTablesNameAsAlias) {
  EXPECT_EQ(rewritten("SELECT * FROM calls"), std::string("SELECT * FROM ") + kCalls + R"( AS "calls")");
  EXPECT_EQ(rewritten("select caller from public.calls where id = 5"),
            std::string("select caller from ") + kCalls + R"( AS "calls" where id = 5)");
  EXPECT_EQ(rewritten(R"(SELECT 1 FROM "public"."calls")"),
            std::string("SELECT 1 FROM ") + kCalls + R"( AS "calls")");
  EXPECT_EQ(rewritten("SELECT 1 FROM PUBLIC . CALLS"),
            std::string("SELECT 1 FROM ") + kCalls + R"( AS "calls")");
}

TEST(Rewriter, AnExistingAliasIsKept) {
  EXPECT_EQ(rewritten("SELECT c.caller FROM calls c"), std::string("SELECT c.caller FROM ") + kCalls + " c");
  EXPECT_EQ(rewritten("SELECT c FROM calls AS c (a, b)"),
            std::string("SELECT c FROM ") + kCalls + " AS c (a, b)");
}

TEST(Rewriter, TableTakesNoAlias) {
  EXPECT_EQ(rewritten("TABLE calls"), std::string("TABLE ") + kCalls);
  EXPECT_EQ(rewritten("SELECT 1 UNION ALL TABLE public.calls"),
            std::string("SELECT 1 UNION ALL TABLE ") + kCalls);
}

TEST(Rewriter, EveryReadPositionAtAnyDepth) {
  const std::string cases[] = {
      "SELECT * FROM tickets t JOIN calls ON calls.id = t.call_id",
      "SELECT * FROM tickets LEFT JOIN LATERAL (SELECT caller FROM calls WHERE id = tickets.id) x ON true",
      "SELECT (SELECT max(caller) FROM calls)",
      "SELECT 1 WHERE EXISTS (SELECT 1 FROM calls WHERE caller LIKE '+421%')",
      "SELECT 1 ORDER BY (SELECT caller FROM calls LIMIT 1)",
      "WITH x AS (SELECT caller FROM calls) SELECT * FROM x",
      "SELECT caller FROM customers UNION SELECT caller FROM calls",
      "INSERT INTO tickets (body) SELECT transcript FROM calls",
      "CREATE TABLE mine AS SELECT * FROM calls",
      "SELECT * INTO mine FROM calls",
      "CREATE VIEW mine AS SELECT caller FROM calls",
      "DECLARE c CURSOR FOR SELECT * FROM calls",
      "PREPARE p AS SELECT * FROM calls WHERE id = $1",
      "SELECT * FROM ONLY calls",
      "SELECT * FROM calls TABLESAMPLE system (50)",
      "UPDATE tickets SET body = 'x' FROM calls WHERE calls.id = tickets.call_id",
      "DELETE FROM tickets USING calls WHERE calls.id = tickets.call_id",
      "COPY (SELECT caller FROM calls) TO STDOUT",
      "EXPLAIN ANALYZE SELECT 1 FROM calls" /* refused below; here only to show it is not rewritten */,
  };
  for (const auto& sql : cases) {
    const auto r = rewrite_statement(sql, agent_policy(), true);
    if (sql.starts_with("EXPLAIN")) {
      EXPECT_EQ(r.kind, RewriteResult::Kind::refused);
      continue;
    }
    ASSERT_EQ(r.kind, RewriteResult::Kind::rewritten) << sql << " " << r.message;
    EXPECT_NE(r.text.find(kCalls), std::string::npos) << r.text;
    EXPECT_EQ(r.text.find("FROM calls"), std::string::npos) << r.text;
    EXPECT_EQ(r.text.find("JOIN calls"), std::string::npos) << r.text;
    EXPECT_EQ(r.text.find("USING calls"), std::string::npos) << r.text;
  }
}

TEST(Rewriter, QuotedUnicodeAndCommentedNames) {
  EXPECT_EQ(rewritten(R"(SELECT 1 FROM U&"\0063alls")"),
            std::string("SELECT 1 FROM ") + kCalls + R"( AS "calls")");
  EXPECT_EQ(rewritten(R"(SELECT 1 FROM U&"!0063alls" UESCAPE '!')"),
            std::string("SELECT 1 FROM ") + kCalls + R"( AS "calls")");
  EXPECT_EQ(rewritten("SELECT 1 FROM public/* x */./* y */calls"),
            std::string("SELECT 1 FROM ") + kCalls + R"( AS "calls")");
  EXPECT_EQ(rewritten(R"(SELECT 1 FROM crm."Notes")"),
            R"(SELECT 1 FROM "gdpr_mask_agent"."crm_Notes" AS "Notes")");
  // Unquoted names fold to lower case: crm.notes is another (untagged) table.
  expect_unchanged("SELECT 1 FROM crm.Notes");
  EXPECT_EQ(rewritten("SELECT 1 FROM calls *"), std::string("SELECT 1 FROM ") + kCalls + R"( * AS "calls")");
  EXPECT_EQ(rewritten("SELECT 1 FROM ONLY (calls)"),
            std::string("SELECT 1 FROM ONLY (") + kCalls + R"() AS "calls")");
}

TEST(Rewriter, StringsCommentsAndDollarQuotesAreNotNames) {
  expect_unchanged("SELECT 'FROM calls', $$ FROM calls $$, $q$ calls $q$ -- FROM calls");
  expect_unchanged("SELECT 1 /* FROM calls */");
  // With standard_conforming_strings off, '\'' is one quote inside a string.
  const auto off = rewrite_statement(R"(SELECT 'a\' FROM calls --')", agent_policy(), false);
  EXPECT_EQ(off.kind, RewriteResult::Kind::unchanged) << off.text;
  const auto on = rewrite_statement(R"(SELECT 'a\' FROM calls --')", agent_policy(), true);
  EXPECT_EQ(on.kind, RewriteResult::Kind::rewritten) << on.text;
}

TEST(Rewriter, CteNamesShadowTables) {
  expect_unchanged("WITH calls AS (SELECT 1 AS x) SELECT * FROM calls");
  // A schema-qualified name is never a CTE.
  EXPECT_NE(rewritten("WITH calls AS (SELECT 1) SELECT * FROM public.calls").find(kCalls), std::string::npos);
}

TEST(Rewriter, CopyToBecomesCopyOfASelect) {
  EXPECT_EQ(rewritten("COPY calls TO STDOUT"), std::string("COPY (SELECT * FROM ") + kCalls + ") TO STDOUT");
  EXPECT_EQ(rewritten("COPY public.calls (id, caller) TO stdout WITH (FORMAT csv)"),
            std::string(R"(COPY (SELECT "id", "caller" FROM )") + kCalls + ") TO stdout WITH (FORMAT csv)");
  expect_unchanged("COPY public.calls FROM STDIN");
}

TEST(Rewriter, PgDumpsViewRestrictionSparesTheMaskedViews) {
  EXPECT_EQ(rewritten("SELECT set_config(name, 'view, foreign-table', false) FROM pg_settings WHERE name = "
                      "'restrict_nonsystem_relation_kind'"),
            "SELECT set_config(name, 'foreign-table', false) FROM pg_settings WHERE name = "
            "'restrict_nonsystem_relation_kind'");
  EXPECT_EQ(rewritten("SET restrict_nonsystem_relation_kind = 'view'"),
            "SET restrict_nonsystem_relation_kind = ''");
  expect_unchanged("SET restrict_nonsystem_relation_kind = 'foreign-table'");
  expect_unchanged("SELECT set_config('search_path', 'view', false)");
}

TEST(Rewriter, SeveralStatementsAreAllRewritten) {
  const auto text = rewritten("SELECT 1 FROM calls; SELECT 2 FROM customers;");
  EXPECT_EQ(text, std::string("SELECT 1 FROM ") + kCalls +
                      R"( AS "calls"; SELECT 2 FROM "gdpr_mask_agent"."customers" AS "customers";)");
}

TEST(Rewriter, UntaggedTablesAndOtherStatementsAreUnchanged) {
  expect_unchanged("SELECT * FROM tickets");
  expect_unchanged("SELECT * FROM gdpr_mask_agent.calls");
  expect_unchanged("INSERT INTO public.calls (caller) VALUES ('+421900000000')");
  expect_unchanged("UPDATE public.calls SET caller = $1 WHERE id = $2");
  expect_unchanged("DELETE FROM public.calls WHERE id = 5 RETURNING id");
  EXPECT_EQ(rewritten("LOCK TABLE public.calls IN ACCESS SHARE MODE"),
            std::string("LOCK TABLE ") + kCalls + " IN ACCESS SHARE MODE");
  expect_unchanged("CREATE TEMP TABLE calls2 (LIKE calls)");
  expect_unchanged("CREATE TEMP TABLE calls (a int)");
  expect_unchanged("");
  expect_unchanged("BEGIN; COMMIT");
}

TEST(Rewriter, UnqualifiedWriteTargetsAreTheBaseTable) {
  // The session's search_path puts the view schema first; writes must not land on the views.
  EXPECT_EQ(rewritten("INSERT INTO calls (caller) VALUES ('x')"),
            R"(INSERT INTO "public"."calls" (caller) VALUES ('x'))");
  EXPECT_EQ(rewritten("UPDATE calls c SET notes = 1 WHERE id = 2"),
            R"(UPDATE "public"."calls" c SET notes = 1 WHERE id = 2)");
  EXPECT_EQ(rewritten("DELETE FROM calls WHERE id = 2"), R"(DELETE FROM "public"."calls" WHERE id = 2)");
  EXPECT_EQ(rewritten("COPY calls (caller) FROM STDIN"), R"(COPY "public"."calls" (caller) FROM STDIN)");
  EXPECT_EQ(rewritten("TRUNCATE calls, tickets"), R"(TRUNCATE "public"."calls", tickets)");
  EXPECT_EQ(rewritten("INSERT INTO calls SELECT * FROM calls"),
            std::string(R"(INSERT INTO "public"."calls" SELECT * FROM )") + kCalls + R"( AS "calls")");
}

TEST(Rewriter, WritesMayNotReadTaggedColumns) {
  refused("UPDATE calls SET callee = caller WHERE id = 1");
  refused("UPDATE calls SET notes = 'x' WHERE caller = '+421900000000'");
  refused("UPDATE calls c SET notes = 'x' WHERE c.caller LIKE '+4%'");
  refused("DELETE FROM calls WHERE caller = '+421900000000'");
  refused("DELETE FROM calls WHERE id = 1 RETURNING *");
  refused("DELETE FROM calls WHERE id = 1 RETURNING calls");
  refused("INSERT INTO calls (caller) VALUES ('x') RETURNING caller");
  refused(
      "INSERT INTO customers (id, email) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET phone = "
      "customers.phone");
  refused(
      "UPDATE calls SET notes = 'x' WHERE EXISTS (SELECT 1 FROM tickets t WHERE t.body = calls.transcript)");
  refused("MERGE INTO customers c USING tickets t ON c.email = t.requester WHEN MATCHED THEN DELETE");
  // Allowed: keys, untagged columns, EXCLUDED, a sub-query's own columns.
  expect_unchanged(
      "INSERT INTO public.customers (id, email) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET email = "
      "EXCLUDED.email");
  expect_unchanged(
      "UPDATE public.calls SET notes = 'x' WHERE id IN (SELECT call_id FROM tickets WHERE caller = 'y')");
}

TEST(Rewriter, IdentityCannotChange) {
  EXPECT_NE(refused("SET ROLE postgres").find("SET ROLE"), std::string::npos);
  refused("SET LOCAL ROLE postgres");
  refused("RESET ROLE");
  refused("SET SESSION AUTHORIZATION postgres");
  refused("RESET SESSION AUTHORIZATION");
  refused("RESET ALL");
  refused("DISCARD ALL");
  refused("SET gdpr.actor = 'mallory'");
  refused("SET \"GDPR.ACTOR\" = 'mallory'");
  refused("RESET gdpr.actor");
  refused("SELECT set_config('gdpr.actor', 'mallory', false)");
  refused("SELECT pg_catalog.set_config('role', 'postgres', false)");
  // Computed names are left to the database (gdpr.actor's check hook, role membership).
  expect_unchanged("SELECT set_config(name, 'view', false) FROM pg_settings WHERE name = 'x'");
  refused("ALTER ROLE CURRENT_USER SET gdpr.actor = 'x'");
  refused("ALTER ROLE CURRENT_USER PASSWORD 'x'");
  refused("ALTER DATABASE gdpr_demo SET search_path = public");
  refused("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET role = postgres AS 'SELECT 1'");
  refused("LOAD 'auto_explain'");
  refused("ALTER SYSTEM SET work_mem = '1GB'");
  refused("COPY tickets TO '/tmp/x'");
  refused("COPY tickets FROM PROGRAM 'id'");
  refused("SELECT 1; SET ROLE postgres");  // one refusal refuses the whole string
  // The same for unmasked policies...
  refused("SET ROLE postgres", supervisor_policy());
  refused("SELECT set_config('gdpr.actor', 'x', true)", supervisor_policy());
  // ... which are otherwise passed through unchanged.
  expect_unchanged("SELECT * FROM calls", supervisor_policy());
  expect_unchanged("EXPLAIN SELECT * FROM calls", supervisor_policy());
  // Harmless settings pass.
  expect_unchanged("SET search_path = public; SET work_mem = '64MB'; DISCARD PLANS; SHOW role");
  expect_unchanged("SET standard_conforming_strings = on");
  refused("SET standard_conforming_strings = off");
  refused("SET standard_conforming_strings TO false");
}

TEST(Rewriter, ExplainOfTaggedTablesIsRefusedForMaskedUsers) {
  refused("EXPLAIN SELECT * FROM calls WHERE caller = '+421900000000'");
  refused("EXPLAIN (ANALYZE) SELECT * FROM tickets JOIN customers ON true");
  refused("EXPLAIN EXECUTE p(1)");
  expect_unchanged("EXPLAIN SELECT * FROM tickets");
}

TEST(Rewriter, WhatThePaserRejectsIsRefused) {
  EXPECT_NE(refused("SELEC 1").find("cannot parse"), std::string::npos);
  refused("SELECT 'unterminated");
  refused("SELECT 1 FROM calls WHERE");
  // Unmasked sessions: the server reports its own syntax error.
  expect_unchanged("SELEC 1", supervisor_policy());
}

TEST(Rewriter, BytesThatAreNotUtf8) {
  // A single-byte client encoding (LATIN1 'caf\xe9') still parses and rewrites.
  EXPECT_EQ(rewritten("SELECT 'caf\xe9', caller FROM calls"),
            std::string("SELECT 'caf\xe9', caller FROM ") + kCalls + R"( AS "calls")");
  // Overlong and truncated sequences in a refused statement: the refusal itself is clean UTF-8.
  const auto r = rewrite_statement("SELEC\xe0\x9c\x90 \xc3", agent_policy(), true);
  ASSERT_EQ(r.kind, RewriteResult::Kind::refused);
  EXPECT_EQ(r.text.find('\xe0'), std::string::npos) << r.text;
  EXPECT_EQ(r.text.find('\xc3'), std::string::npos) << r.text;
}

TEST(Rewriter, AmbiguousUnqualifiedNamesAreRefused) {
  PolicyCatalog p = agent_policy();
  p.tables.push_back({"archive", "calls", "gdpr_mask_agent", "archive_calls", {"caller"}});
  const auto r = rewrite_statement("SELECT * FROM calls", p, true);
  EXPECT_EQ(r.kind, RewriteResult::Kind::refused);
  const auto q = rewrite_statement("SELECT * FROM archive.calls", p, true);
  EXPECT_EQ(q.text, R"(SELECT * FROM "gdpr_mask_agent"."archive_calls" AS "calls")");
}

TEST(Rewriter, RefusalTextCannotBreakOutOfItsQuote) {
  PolicyCatalog p = agent_policy();
  p.tables.push_back({"x", "calls", "v", "a", {}});
  const auto r = rewrite_statement(R"(SELECT * FROM "calls$gdpr$")", p, true);
  EXPECT_EQ(r.kind, RewriteResult::Kind::unchanged);
  const auto s = rewrite_statement("SELECT * FROM calls", p, true);  // ambiguous now; message names calls
  ASSERT_EQ(s.kind, RewriteResult::Kind::refused);
  EXPECT_EQ(s.text.find("$gdpr$", 8), s.text.size() - std::string("$gdpr$::gdpr_public.refusal").size());
}

}  // namespace
}  // namespace gdpr::proxy::rewrite
