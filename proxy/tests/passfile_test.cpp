// [server] passfile: libpq's format, wildcards, escapes, first match wins,
// and the refusals (malformed line, non-ASCII password, loose permissions).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "auth/passfile.hpp"

namespace gdpr::proxy {
namespace {

TEST(Passfile, MatchesWithWildcardsInOrder) {
  const auto p = Passfile::parse(
      "# policy roles\n"
      "127.0.0.1:54329:gdpr_demo:gdpr_policy_agent:agent-secret\n"
      "*:*:*:gdpr_policy_billing:billing\\:secret\\\\x\n"
      "*:*:*:*:fallback\r\n",
      "pass");
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p.find("127.0.0.1", 54329, "gdpr_demo", "gdpr_policy_agent").value_or(""), "agent-secret");
  EXPECT_EQ(p.find("127.0.0.1", 54330, "gdpr_demo", "gdpr_policy_agent").value_or(""), "fallback");
  EXPECT_EQ(p.find("db", 5432, "x", "gdpr_policy_billing").value_or(""), "billing:secret\\x");
}

TEST(Passfile, NoMatchIsNullopt) {
  const auto p = Passfile::parse("h:5432:db:role:pw\n", "pass");
  EXPECT_FALSE(p.find("h", 5432, "db", "other").has_value());
}

TEST(Passfile, RefusesMalformedLinesAndNonAsciiPasswords) {
  EXPECT_THROW(Passfile::parse("h:5432:db:role\n", "pass"), PassfileError);
  EXPECT_THROW(Passfile::parse("h:5432:db:role:p\xc3\xa4ss\n", "pass"), PassfileError);
  try {
    Passfile::parse("ok:1:2:3:4\nbad\n", "pass");
    FAIL() << "no error";
  } catch (const PassfileError& e) {
    EXPECT_STREQ(e.what(), "pass:2: expected hostname:port:database:username:password");
  }
}

TEST(Passfile, RefusesFilesOthersCanRead) {
  const auto path = std::filesystem::temp_directory_path() / "gdpr_proxy_passfile_test";
  std::ofstream(path) << "*:*:*:*:pw\n";
  ::chmod(path.c_str(), 0644);
  EXPECT_THROW(Passfile::load(path.string()), PassfileError);
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(Passfile::load(path.string()).find("h", 1, "d", "u").value_or(""), "pw");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace gdpr::proxy
