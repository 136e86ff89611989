#include "rewrite/relation_rewriter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <span>

namespace gdpr::proxy::rewrite {
namespace {

bool is_read_position(std::string_view parent_type, std::string_view field) {
  return field == "fromClause" || field == "usingClause" || field == "larg" || field == "rarg" ||
         field == "sourceRelation" || (parent_type == "RangeTableSample" && field == "relation");
}

bool is_write_statement(std::string_view type) {
  return type == "InsertStmt" || type == "UpdateStmt" || type == "DeleteStmt" || type == "MergeStmt";
}

class RelationRewriter {
 public:
  RelationRewriter(const ParsedSql& parsed, const PolicyCatalog& policy) : parsed_(parsed), policy_(policy) {}

  std::variant<std::vector<Edit>, Refusal> run() {
    visit(parsed_.tree, {}, {});
    if (refusal_) return *refusal_;
    return std::move(edits_);
  }

 private:
  void refuse(Refusal r) {
    if (!refusal_) refusal_ = std::move(r);
  }

  void visit(const Json& value, std::string_view parent_type, std::string_view field) {
    if (refusal_) return;
    if (value.is_array()) {
      for (const auto& item : value) visit(item, parent_type, field);
      return;
    }
    if (!value.is_object()) return;
    if (const auto node = as_node(value)) {
      visit_struct(*node->second, node->first, parent_type, field);
    } else {
      visit_struct(value, struct_type(value), parent_type, field);
    }
  }

  void visit_struct(const Json& fields, std::string_view type, std::string_view parent_type,
                    std::string_view field) {
    if (type == "RangeVar") {
      if (is_read_position(parent_type, field)) on_read(fields);
      return;
    }
    const std::size_t scopes = push_ctes(fields);
    if (type == "CopyStmt") on_copy(fields);
    if (type == "FuncCall") on_set_config(fields);
    if (type == "VariableSetStmt" &&
        string_field(fields, "name").value_or("") == "restrict_nonsystem_relation_kind") {
      for (const auto& arg : fields.value("args", Json::array())) allow_views(arg);
    }
    if (is_write_statement(type)) {
      check_write(fields, type);
      if (const auto relation = fields.find("relation"); relation != fields.end()) qualify_base(*relation);
    }
    if (type == "LockStmt" || type == "TruncateStmt") {
      if (const auto relations = fields.find("relations");
          relations != fields.end() && relations->is_array()) {
        for (const auto& item : *relations) {
          const auto node = as_node(item);
          if (!node || node->first != "RangeVar") continue;
          // LOCK of the view locks the base table as the view's owner: the
          // policy role may hold ACCESS SHARE for a consistent read (pg_dump)
          // without any privilege on the table itself.
          if (type == "LockStmt") {
            lock_view(*node->second);
          } else {
            qualify_base(*node->second);
          }
        }
      }
    }
    for (const auto& [key, child] : fields.items()) visit(child, type, key);
    cte_names_.resize(cte_names_.size() - scopes);
  }

  // Names a WITH clause binds hide tables of the same name below it.
  std::size_t push_ctes(const Json& fields) {
    const auto with = fields.find("withClause");
    if (with == fields.end() || !with->is_object()) return 0;
    const auto ctes = with->find("ctes");
    if (ctes == with->end() || !ctes->is_array()) return 0;
    std::size_t pushed = 0;
    for (const auto& cte : *ctes) {
      const auto node = as_node(cte);
      if (!node) continue;
      if (auto name = string_field(*node->second, "ctename")) {
        cte_names_.push_back(std::move(*name));
        ++pushed;
      }
    }
    return pushed;
  }

  bool is_cte(const std::string& name) const {
    return std::find(cte_names_.begin(), cte_names_.end(), name) != cte_names_.end();
  }

  const MaskedTable* resolve(const Json& range_var, bool honour_ctes) {
    const auto schema = string_field(range_var, "schemaname");
    const auto name = string_field(range_var, "relname").value_or("");
    if (!schema && honour_ctes && is_cte(name)) return nullptr;
    bool ambiguous = false;
    const MaskedTable* table = policy_.find(schema, name, &ambiguous);
    if (ambiguous) {
      refuse(Refusal{fmt::format("gdpr-proxy refused an ambiguous reference to \"{}\": several tagged tables "
                                 "have that name",
                                 name),
                     "Qualify the table with its schema."});
      return nullptr;
    }
    return table;
  }

  // ---- the text: tokens around a node's location ----

  std::optional<std::size_t> token_at(std::int64_t location) const {
    const auto& tokens = parsed_.tokens;
    const auto it = std::lower_bound(tokens.begin(), tokens.end(), location,
                                     [](const Token& t, std::int64_t loc) { return t.start < loc; });
    if (it == tokens.end() || it->start != location) return std::nullopt;
    return static_cast<std::size_t>(it - tokens.begin());
  }
  std::optional<std::size_t> next_token(std::size_t i) const {
    for (std::size_t j = i + 1; j < parsed_.tokens.size(); ++j) {
      if (parsed_.tokens[j].kind != TokenKind::comment) return j;
    }
    return std::nullopt;
  }
  std::optional<std::size_t> previous_token(std::size_t i) const {
    for (std::size_t j = i; j-- > 0;) {
      if (parsed_.tokens[j].kind != TokenKind::comment) return j;
    }
    return std::nullopt;
  }
  bool kind_is(std::optional<std::size_t> i, TokenKind kind) const {
    return i && parsed_.tokens[*i].kind == kind;
  }

  // The tokens of a qualified name starting at `location`: [first, last].
  std::optional<std::pair<std::size_t, std::size_t>> name_tokens(const Json& range_var) const {
    const auto location = range_var.value("location", std::int64_t{-1});
    const auto first = token_at(location);
    if (!kind_is(first, TokenKind::name)) return std::nullopt;
    std::size_t last = *first;
    for (;;) {
      // U&"..." UESCAPE '!' belongs to the name.
      if (parsed_.tokens[last].unicode_name) {
        const auto escape = next_token(last);
        if (escape && parsed_.tokens[*escape].keyword_uescape) {
          const auto character = next_token(*escape);
          if (!character) return std::nullopt;
          last = *character;
        }
      }
      const auto dot = next_token(last);
      if (!kind_is(dot, TokenKind::dot)) break;
      const auto part = next_token(*dot);
      if (!kind_is(part, TokenKind::name)) return std::nullopt;
      last = *part;
    }
    return std::make_pair(*first, last);
  }

  std::string view_reference(const MaskedTable& table) const {
    return quote_identifier(table.view_schema) + "." + quote_identifier(table.view_name);
  }

  void text_not_found(const std::string& name) {
    // Fail closed: a reference the proxy cannot place is not forwarded.
    refuse(Refusal{
        fmt::format("gdpr-proxy refused a statement it could not rewrite (reference to \"{}\")", name),
        "Write the table name plainly (schema.table); report the statement to the DBA."});
  }

  // ---- reads ----

  // Replaces the qualified name of `range_var` (naming `table`) by `text`;
  // the name's tokens, or nullopt when the name could not be placed (refused).
  std::optional<std::pair<std::size_t, std::size_t>> replace_name(const Json& range_var,
                                                                  const MaskedTable& table,
                                                                  std::string text) {
    const auto span = name_tokens(range_var);
    if (!span) {
      text_not_found(table.base_table);
      return std::nullopt;
    }
    edits_.push_back(
        Edit{parsed_.tokens[span->first].start, parsed_.tokens[span->second].end, std::move(text)});
    return span;
  }

  void on_read(const Json& range_var) {
    const MaskedTable* table = resolve(range_var, /*honour_ctes=*/true);
    if (!table) return;
    const auto span = replace_name(range_var, *table, view_reference(*table));
    if (!span) return;
    const auto& tokens = parsed_.tokens;
    const auto [first, last] = *span;

    if (range_var.contains("alias")) return;
    const auto before = previous_token(first);
    if (before && tokens[*before].keyword_table) return;  // TABLE t takes no alias
    // The alias keeps the table's name as the name of the range, so
    // qualified column and whole-row references resolve to the view.
    std::uint32_t alias_at = tokens[last].end;
    const auto after = next_token(last);
    if (kind_is(after, TokenKind::star)) {
      alias_at = tokens[*after].end;  // t * (with descendants)
    } else if (kind_is(after, TokenKind::close) && kind_is(before, TokenKind::open)) {
      alias_at = tokens[*after].end;  // ONLY (t)
    }
    edits_.push_back(Edit{alias_at, alias_at, " AS " + quote_identifier(table->base_table)});
  }

  // The session's search_path starts with the policy's view schema (so that
  // function bodies the proxy cannot see read masked views), which would make
  // an unqualified write target the view. Writes keep their base table: its
  // name is qualified with the base schema.
  void qualify_base(const Json& range_var) {
    if (!range_var.is_object() || range_var.contains("schemaname")) return;
    const MaskedTable* table = resolve(range_var, /*honour_ctes=*/false);
    if (table) {
      replace_name(range_var, *table,
                   quote_identifier(table->base_schema) + "." + quote_identifier(table->base_table));
    }
  }

  void lock_view(const Json& range_var) {
    const MaskedTable* table = resolve(range_var, /*honour_ctes=*/false);
    if (table) replace_name(range_var, *table, view_reference(*table));
  }

  // pg_dump sets restrict_nonsystem_relation_kind = 'view, foreign-table' so
  // that no view code runs during a dump. In a masked session every tagged
  // table IS a view (the extension's own, owned by gdpr_masker), so with that
  // setting nothing could be read. 'view' is dropped from the value; the rest
  // of the restriction stays.
  void on_set_config(const Json& call) {
    const auto name = name_list(call.value("funcname", Json::array()));
    if (name.empty() || name.back() != "set_config") return;
    const auto args = call.find("args");
    if (args == call.end() || !args->is_array() || args->size() < 2) return;
    const auto setting = string_constant(args->at(0));
    // pg_dump names the setting through pg_settings: SELECT set_config(name,
    // ...) FROM pg_settings WHERE name = 'restrict_nonsystem_relation_kind'.
    const bool named =
        setting ? *setting == "restrict_nonsystem_relation_kind"
                : parsed_.tree.dump().find("\"restrict_nonsystem_relation_kind\"") != std::string::npos;
    if (named) allow_views(args->at(1));
  }

  void allow_views(const Json& constant) {
    const auto value = string_constant(constant);
    if (!value) return;
    std::string kept;
    bool dropped = false;
    std::size_t start = 0;
    while (start <= value->size()) {
      auto end = value->find(',', start);
      if (end == std::string::npos) end = value->size();
      std::string item = value->substr(start, end - start);
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (item == "view") {
        dropped = true;
      } else if (!item.empty()) {
        kept += (kept.empty() ? "" : ", ") + item;
      }
      start = end + 1;
    }
    if (!dropped) return;
    const auto node = as_node(constant);
    const auto token = token_at(node->second->value("location", std::int64_t{-1}));
    if (!token) return text_not_found("restrict_nonsystem_relation_kind");
    edits_.push_back(Edit{parsed_.tokens[*token].start, parsed_.tokens[*token].end, "'" + kept + "'"});
  }

  // COPY t [(columns)] TO ...  ->  COPY (SELECT columns FROM view) TO ...
  void on_copy(const Json& copy) {
    if (bool_field(copy, "is_from")) {  // a write: checked by the database
      if (const auto relation = copy.find("relation"); relation != copy.end()) qualify_base(*relation);
      return;
    }
    const auto relation = copy.find("relation");
    if (relation == copy.end() || !relation->is_object()) return;
    const MaskedTable* table = resolve(*relation, /*honour_ctes=*/false);
    if (!table) return;
    const auto span = name_tokens(*relation);
    if (!span) return text_not_found(table->base_table);
    const auto& tokens = parsed_.tokens;
    std::uint32_t end = tokens[span->second].end;
    std::string columns = "*";
    const auto attlist = copy.find("attlist");
    if (attlist != copy.end() && attlist->is_array() && !attlist->empty()) {
      const auto open = next_token(span->second);
      if (!kind_is(open, TokenKind::open)) return text_not_found(table->base_table);
      int depth = 0;
      std::optional<std::size_t> close;
      for (std::size_t i = *open; i < tokens.size(); ++i) {
        if (tokens[i].kind == TokenKind::open) ++depth;
        if (tokens[i].kind == TokenKind::close && --depth == 0) {
          close = i;
          break;
        }
      }
      if (!close) return text_not_found(table->base_table);
      end = tokens[*close].end;
      columns.clear();
      for (const auto& name : name_list(*attlist)) {
        if (!columns.empty()) columns += ", ";
        columns += quote_identifier(name);
      }
    }
    edits_.push_back(Edit{tokens[span->first].start, end,
                          fmt::format("(SELECT {} FROM {})", columns, view_reference(*table))});
  }

  // ---- writes ----

  struct WriteTarget {
    const MaskedTable* table;
    std::string range_name;  // alias, or the table name
  };

  void check_write(const Json& statement, std::string_view type) {
    const auto relation = statement.find("relation");
    if (relation == statement.end() || !relation->is_object()) return;
    const MaskedTable* table = resolve(*relation, /*honour_ctes=*/false);
    if (!table || table->tagged_columns.empty()) return;
    WriteTarget target{table, table->base_table};
    if (const auto alias = relation->find("alias"); alias != relation->end() && alias->is_object()) {
      target.range_name = string_field(*alias, "aliasname").value_or(table->base_table);
    }
    static constexpr std::string_view kInsert[] = {"returningList", "onConflictClause"};
    static constexpr std::string_view kUpdate[] = {"targetList", "whereClause", "returningList"};
    static constexpr std::string_view kDelete[] = {"whereClause", "returningList"};
    static constexpr std::string_view kMerge[] = {"joinCondition", "mergeWhenClauses"};
    using Fields = std::span<const std::string_view>;
    const Fields checked = type == "InsertStmt"   ? Fields(kInsert)
                           : type == "UpdateStmt" ? Fields(kUpdate)
                           : type == "DeleteStmt" ? Fields(kDelete)
                                                  : Fields(kMerge);
    for (const auto field : checked) {
      const auto it = statement.find(field);
      if (it != statement.end()) check_column_reads(*it, target, type, /*nested=*/false);
      if (refusal_) return;
    }
  }

  void check_column_reads(const Json& value, const WriteTarget& target, std::string_view statement,
                          bool nested) {
    if (refusal_) return;
    if (value.is_array()) {
      for (const auto& item : value) check_column_reads(item, target, statement, nested);
      return;
    }
    if (!value.is_object()) return;
    const auto node = as_node(value);
    const Json& fields = node ? *node->second : value;
    if (node && node->first == "ColumnRef") {
      check_column_ref(name_list(fields.value("fields", Json::array())), target, statement, nested);
      return;
    }
    // In a sub-query an unqualified name may belong to the sub-query's own
    // tables; only references qualified with the target are checked there
    // (the database still refuses an unqualified one that reaches the target).
    const bool inner = nested || (node && node->first == "SelectStmt");
    for (const auto& [key, child] : fields.items()) check_column_reads(child, target, statement, inner);
  }

  void check_column_ref(const std::vector<std::string>& parts, const WriteTarget& target,
                        std::string_view statement, bool nested) {
    if (parts.empty()) return;
    const auto& table = *target.table;
    std::optional<std::string> column;
    if (parts.size() == 1) {
      if (nested) return;
      if (parts[0] == "*" || parts[0] == target.range_name) {
        column = "*";  // RETURNING * or a whole-row reference
      } else {
        column = parts[0];
      }
    } else {
      const std::string& qualifier = parts[parts.size() - 2];
      if (statement == "InsertStmt" && qualifier == "excluded") return;  // the row being inserted
      if (qualifier != target.range_name) return;
      column = parts.back();
    }
    if (*column != "*" && !table.tagged_columns.contains(*column)) return;
    const std::string what = *column == "*" ? "all columns" : "column \"" + *column + "\"";
    refuse(
        Refusal{fmt::format("gdpr-proxy refused a write that reads {} of {}.{}: tagged columns of the base "
                            "table cannot be read in WHERE, SET, RETURNING or ON CONFLICT",
                            what, table.base_schema, table.base_table),
                fmt::format("Read the masked values from {}.{}; write without reading tagged columns "
                            "(e.g. WHERE on the primary key, RETURNING untagged columns).",
                            table.view_schema, table.view_name)});
  }

  const ParsedSql& parsed_;
  const PolicyCatalog& policy_;
  std::vector<Edit> edits_;
  std::vector<std::string> cte_names_;
  std::optional<Refusal> refusal_;
};

}  // namespace

std::variant<std::vector<Edit>, Refusal> rewrite_relations(const ParsedSql& parsed,
                                                           const PolicyCatalog& policy) {
  return RelationRewriter(parsed, policy).run();
}

std::optional<std::string> apply_edits(const std::string& sql, std::vector<Edit> edits) {
  std::stable_sort(edits.begin(), edits.end(),
                   [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(sql.size() + edits.size() * 48);
  std::size_t position = 0;
  for (const auto& edit : edits) {
    if (edit.begin < position || edit.end < edit.begin || edit.end > sql.size()) return std::nullopt;
    out.append(sql, position, edit.begin - position);
    out += edit.text;
    position = edit.end;
  }
  out.append(sql, position, std::string::npos);
  return out;
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace gdpr::proxy::rewrite
