#include "rewrite/session_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace gdpr::proxy::rewrite {
namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_truthy_setting(const std::string& value) {
  const auto v = lowercase(value);
  return v == "on" || v == "true" || v == "yes" || v == "1";
}

constexpr const char* kIdentityHint =
    "A proxy session acts as the user who logged in to the proxy; log in as another proxy user instead.";

// A setting a proxy user may not change; `value` is the new value when known.
std::optional<Refusal> check_setting(const std::string& raw_name, const std::optional<std::string>& value,
                                     bool masked) {
  const std::string name = lowercase(raw_name);
  if (name == "role") {
    return Refusal{"gdpr-proxy refused SET ROLE: proxy sessions cannot change their role", kIdentityHint};
  }
  if (name == "session_authorization") {
    return Refusal{"gdpr-proxy refused SET SESSION AUTHORIZATION: proxy sessions cannot change their user",
                   kIdentityHint};
  }
  if (name.starts_with("gdpr.")) {
    return Refusal{
        fmt::format("gdpr-proxy refused a change of {}: gdpr settings are set by the proxy", name),
        "gdpr.actor names the proxy user for the audit; the DBA sets the others in postgresql.conf."};
  }
  if (masked && name == "standard_conforming_strings" && !(value && is_truthy_setting(*value))) {
    return Refusal{"gdpr-proxy refused turning off standard_conforming_strings in a masked session",
                   "Write strings with E'...' when you need backslash escapes."};
  }
  return std::nullopt;
}

std::optional<Refusal> check_variable_set(const Json& fields, bool masked) {
  const auto kind = string_field(fields, "kind").value_or("");
  if (kind == "VAR_RESET_ALL") {
    return Refusal{"gdpr-proxy refused RESET ALL: it could drop the identity the proxy gave the session",
                   "Reset the settings you changed one by one (RESET name)."};
  }
  const auto name = string_field(fields, "name");
  if (!name) return std::nullopt;
  std::optional<std::string> value;
  if (kind == "VAR_SET_VALUE") {
    const auto args = fields.find("args");
    if (args != fields.end() && args->is_array() && args->size() == 1) {
      value = string_constant(args->at(0));
      // SET x = on arrives as a string constant; SET x = true as a boolean constant.
      if (!value) {
        const auto node = as_node(args->at(0));
        if (node && node->first == "A_Const" && node->second->contains("boolval")) {
          value = bool_field(node->second->at("boolval"), "boolval") ? "on" : "off";
        }
      }
    }
  }
  return check_setting(*name, value, masked);
}

std::optional<Refusal> check_set_config(const Json& fields, bool masked) {
  const auto name = name_list(fields.value("funcname", Json::array()));
  if (name.empty() || name.back() != "set_config") return std::nullopt;
  if (name.size() > 1 && !(name.size() == 2 && name[0] == "pg_catalog")) return std::nullopt;
  const auto args = fields.find("args");
  if (args == fields.end() || !args->is_array() || args->empty()) return std::nullopt;
  const auto setting = string_constant(args->at(0));
  // A computed name (pg_dump: set_config(name, ...) FROM pg_settings) cannot
  // be checked here; the database still refuses what matters: gdpr.actor is
  // fixed once set, role needs membership, gdpr.audit is superuser-only.
  if (!setting) return std::nullopt;
  std::optional<std::string> value;
  if (args->size() > 1) value = string_constant(args->at(1));
  return check_setting(*setting, value, masked);
}

// Does the statement read a tagged table or run a prepared statement?
bool touches_tagged(const Json& tree, const PolicyCatalog& policy) {
  bool found = false;
  for_each_struct(tree, [&](const StructRef& s) {
    if (found) return;
    if (s.type == "ExecuteStmt") {
      found = true;
    } else if (s.type == "RangeVar") {
      found = policy.find(string_field(s.fields, "schemaname"),
                          string_field(s.fields, "relname").value_or("")) != nullptr;
    }
  });
  return found;
}

}  // namespace

std::optional<Refusal> check_session_rules(const Json& tree, const PolicyCatalog& policy) {
  std::optional<Refusal> refusal;
  for_each_struct(tree, [&](const StructRef& s) {
    if (refusal) return;
    const auto& t = s.type;
    if (t == "VariableSetStmt") {
      refusal = check_variable_set(s.fields, policy.masked);
    } else if (t == "FuncCall") {
      refusal = check_set_config(s.fields, policy.masked);
    } else if (t == "DiscardStmt") {
      if (string_field(s.fields, "target").value_or("") == "DISCARD_ALL") {
        refusal =
            Refusal{"gdpr-proxy refused DISCARD ALL: it could drop the identity the proxy gave the session",
                    "Use DISCARD PLANS, DISCARD SEQUENCES or DISCARD TEMP for what you need."};
      }
    } else if (t == "AlterRoleStmt" || t == "AlterRoleSetStmt" || t == "AlterDatabaseSetStmt") {
      refusal = Refusal{"gdpr-proxy refused ALTER ROLE/ALTER DATABASE: proxy users share their policy's role",
                        "Ask the DBA to change role or database settings."};
    } else if (t == "LoadStmt") {
      refusal = Refusal{"gdpr-proxy refused LOAD: proxy sessions cannot load code into the server", {}};
    } else if (t == "AlterSystemStmt") {
      refusal = Refusal{"gdpr-proxy refused ALTER SYSTEM: the server's configuration is the DBA's", {}};
    } else if (t == "CopyStmt") {
      if (s.fields.contains("filename") || bool_field(s.fields, "is_program")) {
        refusal = Refusal{"gdpr-proxy refused COPY to or from a server file or program",
                          "Use COPY ... TO STDOUT or FROM STDIN (psql: \\copy)."};
      }
    } else if (t == "ExplainStmt" && policy.masked) {
      if (touches_tagged(s.fields, policy)) {
        refusal =
            Refusal{"gdpr-proxy refused EXPLAIN of a statement on tagged tables: row estimates reveal data",
                    "A supervisor or DBA can EXPLAIN it for you."};
      }
    }
  });
  return refusal;
}

}  // namespace gdpr::proxy::rewrite
