extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include "audit/log_row.hpp"

#include "audit/chain.hpp"
#include "pg/guard.hpp"

namespace gdpr::audit::log_row {

namespace {

// Signing order = column_list() order = the types below.
constexpr Oid kTypes[kSignedColumns] = {
    INT8OID,            // id
    TIMESTAMPTZOID,     // at
    TEXTOID,            // actor
    TEXTOID,            // db_role
    INETOID,            // client_addr
    TEXTOID,            // application
    TEXTOID,            // operation
    OIDOID,             // relation (regclass, signed as its oid: a rename must not break the chain)
    TEXTOID,            // relation_name
    TEXTARRAYOID,       // columns
    TEXTARRAYOID,       // key_columns
    JSONBOID,           // row_keys
    INT8MULTIRANGEOID,  // key_ranges
    BOOLOID,            // row_keys_complete
    INT8OID,            // row_count
    INT8OID,            // query_id
    BOOLOID,            // masked
    TEXTOID,            // outcome
    INT4OID,            // nesting_level
    INT4OID,            // backend_pid
    TIMESTAMPTZOID,     // logged_at
};

Datum text_datum(const std::string& s) {
  return pg::guard(
      [&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

Datum text_array(const std::vector<std::string>& items) {
  std::vector<Datum> elems;
  for (const auto& s : items) elems.push_back(text_datum(s));
  return pg::guard([&] {
    return PointerGetDatum(
        construct_array(elems.data(), static_cast<int>(elems.size()), TEXTOID, -1, false, TYPALIGN_INT));
  });
}

Datum from_text(Oid type, const std::string& text) {
  return pg::guard([&] {
    Oid input = InvalidOid, ioparam = InvalidOid;
    getTypeInputInfo(type, &input, &ioparam);
    return OidInputFunctionCall(input, const_cast<char*>(text.c_str()), ioparam, -1);
  });
}

std::string output_text(Oid type, Datum value) {
  char* s = pg::guard([&] {
    Oid output = InvalidOid;
    bool varlena = false;
    getTypeOutputInfo(type, &output, &varlena);
    return OidOutputFunctionCall(output, value);
  });
  std::string out(s);
  pfree(s);
  return out;
}

// array_out prints such elements unquoted: non-empty, [A-Za-z0-9_] only, not NULL.
bool plain_array_element(const std::string& e) {
  if (e.empty() || e.size() == 4) {
    if (e.empty()) return false;
    std::string lower;
    for (char c : e) lower.push_back(static_cast<char>(c | 0x20));
    if (lower == "null") return false;
  }
  for (char c : e)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

std::optional<std::string> plain_text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (!plain_array_element(items[i])) return std::nullopt;
    if (i > 0) out += ',';
    out += items[i];
  }
  out += '}';
  return out;
}

// inet_out of a plain IPv4 host address is the address itself.
bool plain_ipv4(const std::string& a) {
  int parts = 0, digits = 0, value = 0;
  for (size_t i = 0; i <= a.size(); ++i) {
    if (i == a.size() || a[i] == '.') {
      if (digits == 0 || value > 255) return false;
      ++parts;
      digits = value = 0;
    } else if (a[i] >= '0' && a[i] <= '9') {
      if (digits > 0 && value == 0) return false;  // leading zero
      value = value * 10 + (a[i] - '0');
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts == 4;
}

}  // namespace

bool transported_as_text(Oid type) {
  return type == INETOID || type == TEXTARRAYOID || type == JSONBOID || type == INT8MULTIRANGEOID;
}

void to_row(int64_t id, int64_t logged_at, const Event& e, Datum* v, bool* n,
            std::vector<std::optional<std::string>>& f) {
  f.assign(kSignedColumns, std::nullopt);
  for (int i = 0; i < kSignedColumns; ++i) n[i] = false;
  auto text = [&](int i, const std::string& value) {
    v[i] = text_datum(value);
    f[i] = value;
  };
  auto via_postgres = [&](int i, Oid type, Datum datum) { f[i] = output_text(type, datum); };
  v[0] = Int64GetDatum(id);
  f[0] = std::to_string(id);
  v[1] = Int64GetDatum(e.at);
  f[1] = std::to_string(e.at);
  text(2, e.actor);
  text(3, e.db_role);
  if (e.client_addr.empty())
    n[4] = true;
  else if (plain_ipv4(e.client_addr))
    f[4] = e.client_addr;
  else
    via_postgres(4, INETOID, from_text(INETOID, e.client_addr));
  text(5, e.application);
  text(6, e.operation);
  v[7] = ObjectIdGetDatum(e.relation);
  f[7] = std::to_string(e.relation);
  text(8, e.relation_name);
  if (auto plain = plain_text_array(e.columns))
    f[9] = std::move(plain);
  else
    via_postgres(9, TEXTARRAYOID, text_array(e.columns));
  if (auto plain = plain_text_array(e.key_columns))
    f[10] = std::move(plain);
  else
    via_postgres(10, TEXTARRAYOID, text_array(e.key_columns));
  if (!e.row_keys)
    n[11] = true;
  else if (e.key_ranges)
    f[11] = *e.row_keys;  // integer keys: written in jsonb's output form (row_keys.hpp)
  else
    via_postgres(11, JSONBOID, from_text(JSONBOID, *e.row_keys));
  if (!e.key_ranges)
    n[12] = true;
  else
    f[12] = *e.key_ranges;  // written in int8multirange's output form (row_keys.hpp)
  v[13] = BoolGetDatum(e.keys_complete);
  f[13] = std::string(1, e.keys_complete ? 't' : 'f');
  v[14] = Int64GetDatum(e.row_count);
  f[14] = std::to_string(e.row_count);
  v[15] = Int64GetDatum(e.query_id);
  f[15] = std::to_string(e.query_id);
  v[16] = BoolGetDatum(e.masked);
  f[16] = std::string(1, e.masked ? 't' : 'f');
  text(17, e.outcome);
  v[18] = Int32GetDatum(e.nesting_level);
  f[18] = std::to_string(e.nesting_level);
  v[19] = Int32GetDatum(e.backend_pid);
  f[19] = std::to_string(e.backend_pid);
  v[20] = Int64GetDatum(logged_at);
  f[20] = std::to_string(logged_at);
}

const char* column_list() {
  return "id, at, actor, db_role, client_addr, application, operation, relation, relation_name, columns, "
         "key_columns, row_keys, key_ranges, row_keys_complete, row_count, query_id, masked, outcome, "
         "nesting_level, backend_pid, logged_at";
}

const Oid* column_types() { return kTypes; }

void to_datums(int64_t id, int64_t logged_at, const Event& e, Datum* v, bool* n) {
  for (int i = 0; i < kSignedColumns; ++i) n[i] = false;
  v[0] = Int64GetDatum(id);
  v[1] = Int64GetDatum(e.at);  // TimestampTz
  v[2] = text_datum(e.actor);
  v[3] = text_datum(e.db_role);
  if (e.client_addr.empty())
    n[4] = true;
  else
    v[4] = from_text(INETOID, e.client_addr);
  v[5] = text_datum(e.application);
  v[6] = text_datum(e.operation);
  v[7] = ObjectIdGetDatum(e.relation);
  v[8] = text_datum(e.relation_name);
  v[9] = text_array(e.columns);
  v[10] = text_array(e.key_columns);
  if (e.row_keys)
    v[11] = from_text(JSONBOID, *e.row_keys);
  else
    n[11] = true;
  if (e.key_ranges)
    v[12] = from_text(INT8MULTIRANGEOID, *e.key_ranges);
  else
    n[12] = true;
  v[13] = BoolGetDatum(e.keys_complete);
  v[14] = Int64GetDatum(e.row_count);
  v[15] = Int64GetDatum(e.query_id);
  v[16] = BoolGetDatum(e.masked);
  v[17] = text_datum(e.outcome);
  v[18] = Int32GetDatum(e.nesting_level);
  v[19] = Int32GetDatum(e.backend_pid);
  v[20] = Int64GetDatum(logged_at);  // TimestampTz
}

std::string canonical(const Datum* v, const bool* n) { return canonical_encoding(canonical_fields(v, n)); }

std::vector<std::optional<std::string>> canonical_fields(const Datum* v, const bool* n) {
  std::vector<std::optional<std::string>> fields;
  fields.reserve(kSignedColumns);
  for (int i = 0; i < kSignedColumns; ++i) {
    if (n[i]) {
      fields.emplace_back(std::nullopt);
      continue;
    }
    switch (kTypes[i]) {
      case INT8OID:
      case TIMESTAMPTZOID:  // the raw microseconds: independent of TimeZone and DateStyle
        fields.emplace_back(std::to_string(DatumGetInt64(v[i])));
        break;
      case INT4OID:
        fields.emplace_back(std::to_string(DatumGetInt32(v[i])));
        break;
      case OIDOID:
        fields.emplace_back(std::to_string(DatumGetObjectId(v[i])));
        break;
      case BOOLOID:
        fields.emplace_back(DatumGetBool(v[i]) ? "t" : "f");
        break;
      default:
        fields.emplace_back(output_text(kTypes[i], v[i]));
        break;
    }
  }
  return fields;
}

}  // namespace gdpr::audit::log_row
