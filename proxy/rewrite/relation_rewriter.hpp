#pragma once
// Replaces every read of a tagged table by the policy's masked view.
//
// A relation is *read* where it appears in a FROM list: FROM, JOIN, USING of
// DELETE, FROM of UPDATE, the source of MERGE, TABLESAMPLE, and `TABLE t`,
// at any depth (sub-queries, CTEs, LATERAL, set operations, views, cursors,
// PREPARE, CREATE TABLE AS, INSERT ... SELECT, SQL-standard function bodies).
// There the name is replaced by the view, and given the table's own name as
// alias, so `calls.caller` and whole-row references (`row_to_json(calls)`)
// resolve to the masked row. `COPY t TO` becomes `COPY (SELECT ... FROM
// view) TO`.
//
// The target of INSERT, UPDATE, DELETE, MERGE and COPY FROM stays the base
// table, but the statement may not read its tagged columns (WHERE,
// RETURNING, SET expressions, ON CONFLICT, MERGE conditions): those are
// refused, as the database would refuse them.
//
// Elsewhere (CREATE TABLE, ALTER, LOCK, TRUNCATE, GRANT, ...) names are left
// alone: those statements return no data, and the database's privileges
// decide. Names bound by a WITH clause are CTEs, not tables.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rewrite/parse_tree.hpp"
#include "rewrite/policy_catalog.hpp"
#include "rewrite/refusal.hpp"
#include "rewrite/sql_parser.hpp"

namespace gdpr::proxy::rewrite {

// Replace sql[begin, end) by `text` (begin == end: insert).
struct Edit {
  std::uint32_t begin;
  std::uint32_t end;
  std::string text;
};

std::variant<std::vector<Edit>, Refusal> rewrite_relations(const ParsedSql& parsed,
                                                           const PolicyCatalog& policy);

// Applies edits (in any order) to `sql`; nullopt if two overlap, which the
// caller must treat as a statement it could not rewrite.
std::optional<std::string> apply_edits(const std::string& sql, std::vector<Edit> edits);

// "name" with embedded quotes doubled: always quoted, so case and keywords
// never matter.
std::string quote_identifier(const std::string& name);

}  // namespace gdpr::proxy::rewrite
