#pragma once
// Reading libpg_query's JSON parse tree.
//
// The tree has two kinds of objects: a Node, written {"SelectStmt": {...}}
// (one key, the node type, capitalised), and a struct embedded in a typed
// field, written {...} directly (UpdateStmt.relation is a bare RangeVar).
// for_each_struct() visits every struct of a tree with its type (known for
// Nodes, recognised for bare RangeVars, empty otherwise), the type of the
// struct that holds it and the field it sits in, which is all the context
// the rules and the rewriter need.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::proxy::rewrite {

using Json = nlohmann::json;

struct StructRef {
  const Json& fields;
  std::string_view type;         // "SelectStmt", "RangeVar", ... or "" when not known
  std::string_view parent_type;  // type of the enclosing struct ("" at the top)
  std::string_view field;        // field of the enclosing struct holding this one
};

// The type and body of a Node object, or nullopt when `value` is not one.
std::optional<std::pair<std::string_view, const Json*>> as_node(const Json& value);

// The recognised type of a struct object ("RangeVar" for bare RangeVars).
std::string_view struct_type(const Json& fields);

// A string field of a struct, or nullopt.
std::optional<std::string> string_field(const Json& fields, std::string_view name);
// A boolean field (absent = false, as libpg_query omits defaults).
bool bool_field(const Json& fields, std::string_view name);

// The parts of a name list [{"String": {"sval": "x"}}, {"A_Star": {}}, ...];
// "*" for A_Star. Used for ColumnRef.fields and FuncCall.funcname.
std::vector<std::string> name_list(const Json& list);

// The sval of an A_Const string constant, or nullopt.
std::optional<std::string> string_constant(const Json& node);

namespace detail {
template <typename Visit>
void walk(const Json& value, std::string_view parent_type, std::string_view field, Visit& visit) {
  if (value.is_array()) {
    for (const auto& item : value) walk(item, parent_type, field, visit);
    return;
  }
  if (!value.is_object()) return;
  std::string_view type;
  const Json* fields = &value;
  if (const auto node = as_node(value)) {
    type = node->first;
    fields = node->second;
  } else {
    type = struct_type(value);
  }
  visit(StructRef{*fields, type, parent_type, field});
  for (const auto& [key, child] : fields->items()) walk(child, type, key, visit);
}
}  // namespace detail

// Calls visit(StructRef) for every struct in `tree`, parents before children.
template <typename Visit>
void for_each_struct(const Json& tree, Visit&& visit) {
  detail::walk(tree, {}, {}, visit);
}

}  // namespace gdpr::proxy::rewrite
