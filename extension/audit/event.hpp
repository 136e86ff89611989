// One audit event: one statement's access to one relation. Backends build it,
// serialise it into the shared-memory queue; the writer reads it back and
// inserts it into gdpr.audit_log (pure C++, no PostgreSQL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::audit {

struct Event {
  int64_t at = 0;  // TimestampTz (microseconds since 2000-01-01 UTC) of the statement's start
  int64_t query_id = 0;
  int64_t row_count = 0;
  uint32_t relation = 0;  // Oid
  int32_t backend_pid = 0;
  int32_t nesting_level = 0;  // 0 = statement sent by the client
  bool masked = false;        // read through a view owned by someone else (a masking view)
  std::string actor;
  std::string db_role;
  std::string client_addr;  // empty: local socket or background process
  std::string application;
  std::string operation;  // SELECT, INSERT, UPDATE, DELETE, MERGE, COPY TO, COPY FROM
  std::string outcome;    // ok | refused | error
  std::string relation_name;
  std::vector<std::string> columns;
  std::vector<std::string> key_columns;
  std::optional<std::string> row_keys;    // JSON text; nullopt = no personal data left the relation
  std::optional<std::string> key_ranges;  // int8multirange text, integer single-column keys only
  bool keys_complete = true;              // false: capped list or keys unreadable
};

std::string serialize(const Event& event);
// The same into `out`, replacing its contents (its capacity is reused: a
// backend serialises every statement's events into one buffer).
void serialize(const Event& event, std::string& out);
// Throws std::runtime_error on a malformed record (a bug, never user input).
Event deserialize(std::string_view bytes);
// The same into `out`, field by field (a reused Event allocates nothing once warm).
void deserialize(std::string_view bytes, Event& out);

}  // namespace gdpr::audit
