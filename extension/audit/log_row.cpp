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

}  // namespace

const char* column_list() {
  return "id, at, actor, db_role, client_addr, application, operation, relation, relation_name, columns, "
         "key_columns, row_keys, key_ranges, row_keys_complete, row_count, query_id, masked, outcome, "
         "nesting_level, backend_pid";
}

const Oid* column_types() { return kTypes; }

void to_datums(int64_t id, const Event& e, Datum* v, bool* n) {
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
