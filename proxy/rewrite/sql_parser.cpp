#include "rewrite/sql_parser.hpp"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <memory>

// libpg_query keeps the scanner's settings in thread-local variables, exactly
// as the server keeps them in globals; setting ours per call makes each parse
// independent of what another session on this thread used.
extern "C" __thread bool standard_conforming_strings;

namespace gdpr::proxy::rewrite {
namespace {

class ScannerSettings {
 public:
  explicit ScannerSettings(bool scs) : saved_(standard_conforming_strings) {
    standard_conforming_strings = scs;
  }
  ~ScannerSettings() { standard_conforming_strings = saved_; }
  ScannerSettings(const ScannerSettings&) = delete;
  ScannerSettings& operator=(const ScannerSettings&) = delete;

 private:
  bool saved_;
};

TokenKind kind_of(const PgQuery__ScanToken& t) {
  switch (t.token) {
    case PG_QUERY__TOKEN__ASCII_46:
      return TokenKind::dot;
    case PG_QUERY__TOKEN__ASCII_42:
      return TokenKind::star;
    case PG_QUERY__TOKEN__ASCII_40:
      return TokenKind::open;
    case PG_QUERY__TOKEN__ASCII_41:
      return TokenKind::close;
    case PG_QUERY__TOKEN__SQL_COMMENT:
    case PG_QUERY__TOKEN__C_COMMENT:
      return TokenKind::comment;
    case PG_QUERY__TOKEN__IDENT:
    case PG_QUERY__TOKEN__UIDENT:
      return TokenKind::name;
    default:
      return t.keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD ? TokenKind::name : TokenKind::other;
  }
}

// libpg_query reports a U&"..." identifier as one byte long; its true end is
// the closing quote (a doubled "" inside is part of the name).
std::uint32_t unicode_identifier_end(const std::string& sql, std::uint32_t start) {
  std::size_t i = start + 3;  // past U&"
  if (start + 3 > sql.size() || sql[start + 2] != '"') return start + 1;
  while (i < sql.size()) {
    if (sql[i] == '"') {
      if (i + 1 < sql.size() && sql[i + 1] == '"') {
        i += 2;
        continue;
      }
      return static_cast<std::uint32_t>(i + 1);
    }
    ++i;
  }
  return start + 1;
}

std::variant<std::vector<Token>, ParseFailure> scan(const std::string& sql) {
  PgQueryScanResult result = pg_query_scan(sql.c_str());
  std::unique_ptr<PgQueryScanResult, void (*)(PgQueryScanResult*)> free_result(
      &result, [](PgQueryScanResult* r) { pg_query_free_scan_result(*r); });
  if (result.error) return ParseFailure{result.error->message, result.error->cursorpos};
  PgQuery__ScanResult* scanned = pg_query__scan_result__unpack(
      nullptr, result.pbuf.len, reinterpret_cast<const std::uint8_t*>(result.pbuf.data));
  if (!scanned) return ParseFailure{"the scanner's output could not be read", 0};
  std::unique_ptr<PgQuery__ScanResult, void (*)(PgQuery__ScanResult*)> free_scanned(
      scanned, [](PgQuery__ScanResult* r) { pg_query__scan_result__free_unpacked(r, nullptr); });
  std::vector<Token> tokens;
  tokens.reserve(scanned->n_tokens);
  for (std::size_t i = 0; i < scanned->n_tokens; ++i) {
    const auto& t = *scanned->tokens[i];
    const auto start = static_cast<std::uint32_t>(t.start);
    const auto end = t.token == PG_QUERY__TOKEN__UIDENT ? unicode_identifier_end(sql, start)
                                                        : static_cast<std::uint32_t>(t.end);
    tokens.push_back(Token{start, end, kind_of(t), t.token == PG_QUERY__TOKEN__TABLE,
                           t.token == PG_QUERY__TOKEN__UESCAPE, t.token == PG_QUERY__TOKEN__UIDENT});
  }
  return tokens;
}

}  // namespace

// Statements in a single-byte client encoding (LATIN1, WIN1250, ...) reach
// the proxy as bytes that are not UTF-8, and libpg_query copies them into its
// JSON, which the JSON reader then rejects. Every byte of an invalid UTF-8
// sequence becomes '?': lengths, and so every location, stay the same; a name
// that contained such bytes matches no tagged table, and the database decides.
// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF), or 0.
static std::size_t utf8_sequence_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto c = byte(0);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

void replace_invalid_utf8(std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      text[i] = '?';
      ++i;
    } else {
      i += length;
    }
  }
}

std::variant<ParsedSql, ParseFailure> parse_sql(const std::string& sql, bool scs) {
  ScannerSettings settings(scs);
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> free_result(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error) return ParseFailure{result.error->message, result.error->cursorpos};
  ParsedSql parsed;
  std::string json(result.parse_tree);
  replace_invalid_utf8(json);
  parsed.tree = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.tree.is_discarded()) return ParseFailure{"the parser's output could not be read", 0};
  auto tokens = scan(sql);
  if (auto* failure = std::get_if<ParseFailure>(&tokens)) return *failure;
  parsed.tokens = std::move(std::get<std::vector<Token>>(tokens));
  return parsed;
}

}  // namespace gdpr::proxy::rewrite
