// libFuzzer target: arbitrary statement text through the rewriter, with a
// policy shaped like the demo's agent policy, both standard_conforming_strings
// settings. Besides "no crash, no sanitizer report" it checks the rewriter's
// contract:
//   - a rewritten statement still parses (the splicing never breaks syntax);
//   - rewriting is idempotent: the rewritten text needs no further rewrite
//     (every tagged read already goes to a view, every write target is
//     qualified), so nothing was left behind;
//   - a refusal is the refusal statement, which parses too.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "rewrite/rewriter.hpp"
#include "rewrite/sql_parser.hpp"

namespace {

using namespace gdpr::proxy::rewrite;

const PolicyCatalog& policy() {
  static const PolicyCatalog p = [] {
    PolicyCatalog c;
    c.name = "agent";
    c.masked = true;
    c.tables.push_back({"public", "calls", "gdpr_mask_agent", "calls", {"caller", "callee", "transcript"}});
    c.tables.push_back({"public", "contacts", "gdpr_mask_agent", "contacts", {"name", "email", "phone"}});
    c.tables.push_back({"crm", "Notes", "gdpr_mask_agent", "crm_Notes", {"body"}});
    return c;
  }();
  return p;
}

bool parses(const std::string& sql, bool scs) {
  return std::holds_alternative<ParsedSql>(parse_sql(sql, scs));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool scs = (data[0] & 1) != 0;
  // Statement texts are C strings on the wire: no NUL inside.
  std::string sql(reinterpret_cast<const char*>(data + 1), size - 1);
  if (sql.find('\0') != std::string::npos) return 0;

  const auto first = rewrite_statement(sql, policy(), scs);
  switch (first.kind) {
    case RewriteResult::Kind::unchanged:
      break;
    case RewriteResult::Kind::rewritten: {
      if (!parses(first.text, scs)) std::abort();
      const auto second = rewrite_statement(first.text, policy(), scs);
      if (second.kind != RewriteResult::Kind::unchanged) std::abort();
      break;
    }
    case RewriteResult::Kind::refused:
      if (!parses(first.text, true) || first.message.rfind("gdpr-proxy refused ", 0) != 0) std::abort();
      break;
  }
  return 0;
}
