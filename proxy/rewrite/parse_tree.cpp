#include "rewrite/parse_tree.hpp"

#include <cctype>

namespace gdpr::proxy::rewrite {

std::optional<std::pair<std::string_view, const Json*>> as_node(const Json& value) {
  if (!value.is_object() || value.size() != 1) return std::nullopt;
  const auto it = value.begin();
  const std::string& key = it.key();
  if (key.empty() || !std::isupper(static_cast<unsigned char>(key[0])) || !it.value().is_object()) {
    return std::nullopt;
  }
  return std::make_pair(std::string_view(key), &it.value());
}

std::string_view struct_type(const Json& fields) {
  // RangeVar always has relname and relpersistence ('p', 'u' or 't'); no
  // other struct has both.
  if (fields.contains("relname") && fields.contains("relpersistence")) return "RangeVar";
  return {};
}

std::optional<std::string> string_field(const Json& fields, std::string_view name) {
  const auto it = fields.find(name);
  if (it == fields.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool bool_field(const Json& fields, std::string_view name) {
  const auto it = fields.find(name);
  return it != fields.end() && it->is_boolean() && it->get<bool>();
}

std::vector<std::string> name_list(const Json& list) {
  std::vector<std::string> names;
  if (!list.is_array()) return names;
  for (const auto& item : list) {
    const auto node = as_node(item);
    if (!node) continue;
    if (node->first == "String") {
      names.push_back(string_field(*node->second, "sval").value_or(""));
    } else if (node->first == "A_Star") {
      names.emplace_back("*");
    }
  }
  return names;
}

std::optional<std::string> string_constant(const Json& node) {
  const auto n = as_node(node);
  if (!n || n->first != "A_Const") return std::nullopt;
  const auto it = n->second->find("sval");
  if (it == n->second->end() || !it->is_object()) return std::nullopt;
  return string_field(*it, "sval").value_or("");
}

}  // namespace gdpr::proxy::rewrite
