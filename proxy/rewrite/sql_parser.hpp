#pragma once
// PostgreSQL's own parser and scanner (libpg_query), for the rewriter.
//
// parse_sql() returns the raw parse tree as JSON (libpg_query's JSON form of
// the protobuf definitions in pg_query.proto) and the scanner's tokens with
// their byte offsets. The rewriter reads node locations from the tree and
// token boundaries from the scanner, and splices replacements into the
// client's own text: nothing of the statement is re-generated, so what the
// server runs is what the client wrote except for the relations replaced.
//
// standard_conforming_strings changes how '...\'...' is lexed. The parser is
// run with the session's value (from the server's ParameterStatus), so the
// proxy sees the same tokens the server will.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gdpr::proxy::rewrite {

enum class TokenKind : std::uint8_t {
  name,     // an identifier or a keyword (keywords can be names)
  dot,      // .
  star,     // *
  open,     // (
  close,    // )
  comment,  // -- ... or /* ... */
  other,
};

struct Token {
  std::uint32_t start;  // byte offset of the first byte
  std::uint32_t end;    // byte offset just past the last byte
  TokenKind kind;
  bool keyword_table;    // the keyword TABLE (as in `TABLE t`)
  bool keyword_uescape;  // UESCAPE, which may follow a U&"..." identifier
  bool unicode_name;     // a U&"..." identifier
};

struct ParsedSql {
  nlohmann::json tree;  // {"version": ..., "stmts": [{"stmt": {...}}, ...]}
  std::vector<Token> tokens;
};

struct ParseFailure {
  std::string message;
  int cursor_position;  // 1-based, 0 when unknown
};

std::variant<ParsedSql, ParseFailure> parse_sql(const std::string& sql, bool standard_conforming_strings);

// Replaces every byte that is not part of well-formed UTF-8 by '?', keeping
// the length (and so every byte offset) unchanged.
void replace_invalid_utf8(std::string& text);

}  // namespace gdpr::proxy::rewrite
