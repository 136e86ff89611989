#include "rewrite/refusal.hpp"

#include "rewrite/sql_parser.hpp"

namespace gdpr::proxy::rewrite {
namespace {

// Dollar quoting is read the same whatever standard_conforming_strings says.
// The text may quote client input (a relation name), so it must not be able
// to close the quote: every '$' becomes a fullwidth dollar sign.
std::string quotable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '$') {
      out += "\xEF\xBC\x84";  // U+FF04
    } else if (c != '\0') {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string refusal_sql(const Refusal& refusal) {
  // The message may quote the client's bytes (a parser error); the server
  // would reject a refusal that is not valid UTF-8 with an encoding error.
  std::string message = quotable(refusal.message);
  replace_invalid_utf8(message);
  for (auto& c : message) {
    if (c == '\n') c = ' ';  // the first line is the message, the rest the hint
  }
  return "SELECT $gdpr$" + message + "\n" + quotable(refusal.hint) + "$gdpr$::gdpr_public.refusal";
}

}  // namespace gdpr::proxy::rewrite
