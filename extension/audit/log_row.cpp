extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/multirangetypes.h"
#include "utils/numeric.h"
#include "utils/rangetypes.h"
#include "utils/typcache.h"
}

#include "audit/log_row.hpp"

#include <limits>

#include "audit/chain.hpp"
#include "audit/row_keys.hpp"
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
    INT8OID,            // row_key
    BOOLOID,            // row_keys_complete
    INT8OID,            // row_count
    INT8OID,            // query_id
    BOOLOID,            // masked
    TEXTOID,            // outcome
    INT4OID,            // nesting_level
    INT4OID,            // backend_pid
    TIMESTAMPTZOID,     // logged_at
};

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

namespace {

// --- datums built straight from C++ values (called inside one pg::guard) ---

Datum text_of(const std::string& s) {
  return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

Datum text_array_of(const std::vector<std::string>& items) {
  const int n = static_cast<int>(items.size());
  Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
  for (int i = 0; i < n; ++i) elems[i] = text_of(items[static_cast<size_t>(i)]);
  return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

JsonbValue jsonb_number(int64 value) {
  JsonbValue v;
  v.type = jbvNumeric;
  v.val.numeric = int64_to_numeric(value);
  return v;
}

JsonbValue jsonb_key(const char* name) {
  JsonbValue v;
  v.type = jbvString;
  v.val.string.val = const_cast<char*>(name);
  v.val.string.len = static_cast<int>(strlen(name));
  return v;
}

// The jsonb of row_keys_json(ranges): numbers, and {"from": a, "to": b} for runs.
Datum jsonb_of_ranges(const std::vector<KeyRange>& ranges) {
  JsonbParseState* state = nullptr;
  JsonbValue* result = pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
  for (const KeyRange& r : ranges) {
    if (r.first == r.last) {
      JsonbValue number = jsonb_number(r.first);
      result = pushJsonbValue(&state, WJB_ELEM, &number);
      continue;
    }
    result = pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    JsonbValue from_key = jsonb_key("from"), from = jsonb_number(r.first);
    JsonbValue to_key = jsonb_key("to"), to = jsonb_number(r.last);
    result = pushJsonbValue(&state, WJB_KEY, &from_key);
    result = pushJsonbValue(&state, WJB_VALUE, &from);
    result = pushJsonbValue(&state, WJB_KEY, &to_key);
    result = pushJsonbValue(&state, WJB_VALUE, &to);
    result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
  }
  result = pushJsonbValue(&state, WJB_END_ARRAY, nullptr);
  return JsonbPGetDatum(JsonbValueToJsonb(result));
}

// The int8multirange of multirange_literal(ranges).
Datum multirange_of_ranges(const std::vector<KeyRange>& ranges) {
  // Type cache entries live as long as the process.
  static TypeCacheEntry* int8range = nullptr;
  if (int8range == nullptr) int8range = lookup_type_cache(INT8RANGEOID, TYPECACHE_RANGE_INFO);
  const int n = static_cast<int>(ranges.size());
  auto** items = static_cast<RangeType**>(palloc(sizeof(RangeType*) * (n > 0 ? n : 1)));
  for (int i = 0; i < n; ++i) {
    const KeyRange& r = ranges[static_cast<size_t>(i)];
    RangeBound lower{Int64GetDatum(r.first), false, true, true};
    const bool unbounded = r.last == std::numeric_limits<int64_t>::max();
    RangeBound upper{Int64GetDatum(unbounded ? 0 : r.last + 1), unbounded, false, false};
    items[i] = make_range(int8range, &lower, &upper, false);
  }
  return MultirangeTypePGetDatum(make_multirange(INT8MULTIRANGEOID, int8range, n, items));
}

Datum input_of(Oid type, const std::string& text) {
  Oid input = InvalidOid, ioparam = InvalidOid;
  getTypeInputInfo(type, &input, &ioparam);
  return OidInputFunctionCall(input, const_cast<char*>(text.c_str()), ioparam, -1);
}

}  // namespace

namespace {

// Appends one field of canonical_encoding() (chain.hpp), without building
// the intermediate vector of fields.
void append_field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

void append_number(std::string& out, int64_t value) { append_field(out, std::to_string(value)); }

}  // namespace

ValueCache::ValueCache() : memory_(CurrentMemoryContext) {}

template <typename Make>
Datum ValueCache::find_or_make(std::unordered_map<std::string, Datum>& map, const std::string& key,
                               Make make) {
  if (const auto it = map.find(key); it != map.end()) return it->second;
  const Datum made = pg::guard([&] {
    MemoryContext caller = MemoryContextSwitchTo(memory_);
    const Datum value = make();
    MemoryContextSwitchTo(caller);
    return value;
  });
  map.emplace(key, made);
  return made;
}

Datum ValueCache::text(Field field, const std::string& value) {
  Last& last = last_[field];
  if (last.valid && last.text == value) return last.datum;
  const Datum d = find_or_make(texts_, value, [&] { return text_of(value); });
  last.valid = true;
  last.text = value;
  last.datum = d;
  return d;
}

Datum ValueCache::text_array(Field field, const std::vector<std::string>& items) {
  Last& last = last_[field];
  if (last.valid && last.items == items) return last.datum;
  key_.clear();
  for (const std::string& item : items) {
    key_ += item;
    key_ += '\0';  // cannot occur in a PostgreSQL text value
  }
  key_ += std::to_string(items.size());
  const Datum d = find_or_make(arrays_, key_, [&] { return text_array_of(items); });
  last.valid = true;
  last.items = items;
  last.datum = d;
  return d;
}

Datum ValueCache::inet(const std::string& address) {
  Last& last = last_[kClientAddr];
  if (last.valid && last.text == address) return last.datum;
  const Datum d = find_or_make(
      inets_, address, [&] { return DirectFunctionCall1(inet_in, CStringGetDatum(address.c_str())); });
  last.valid = true;
  last.text = address;
  last.datum = d;
  return d;
}

void to_row(int64_t id, int64_t logged_at, const Event& e, ValueCache& cache, Datum* v, bool* n,
            std::string& canonical) {
  for (int i = 0; i < kSignedColumns; ++i) n[i] = false;
  // Integer keys arrive as the texts capture wrote from their ranges; the
  // ranges give both the jsonb and the multirange value.
  std::optional<std::vector<KeyRange>> ranges;
  if (e.row_keys && e.key_ranges) ranges = parse_multirange_literal(*e.key_ranges);
  // The single key of an event that names exactly one integer row.
  const bool single_key = ranges && ranges->size() == 1 && ranges->front().first == ranges->front().last;

  v[0] = Int64GetDatum(id);
  v[1] = Int64GetDatum(e.at);  // TimestampTz
  v[2] = cache.text(ValueCache::kActor, e.actor);
  v[3] = cache.text(ValueCache::kDbRole, e.db_role);
  n[4] = e.client_addr.empty();
  if (!n[4]) v[4] = cache.inet(e.client_addr);
  v[5] = cache.text(ValueCache::kApplication, e.application);
  v[6] = cache.text(ValueCache::kOperation, e.operation);
  v[7] = ObjectIdGetDatum(e.relation);
  v[8] = cache.text(ValueCache::kRelationName, e.relation_name);
  v[9] = cache.text_array(ValueCache::kColumns, e.columns);
  v[10] = cache.text_array(ValueCache::kKeyColumns, e.key_columns);
  n[11] = !e.row_keys;
  n[12] = !e.key_ranges;
  n[13] = !single_key;
  // The event's own values, in one guarded call (no C++ object is created inside).
  pg::guard([&] {
    if (!n[11]) v[11] = ranges ? jsonb_of_ranges(*ranges) : input_of(JSONBOID, *e.row_keys);
    if (!n[12]) v[12] = ranges ? multirange_of_ranges(*ranges) : input_of(INT8MULTIRANGEOID, *e.key_ranges);
  });
  v[13] = single_key ? Int64GetDatum(ranges->front().first) : (Datum)0;
  v[14] = BoolGetDatum(e.keys_complete);
  v[15] = Int64GetDatum(e.row_count);
  v[16] = Int64GetDatum(e.query_id);
  v[17] = BoolGetDatum(e.masked);
  v[18] = cache.text(ValueCache::kOutcome, e.outcome);
  v[19] = Int32GetDatum(e.nesting_level);
  v[20] = Int32GetDatum(e.backend_pid);
  v[21] = Int64GetDatum(logged_at);  // TimestampTz

  // The canonical encoding, column by column; what C++ cannot know is
  // printed by PostgreSQL's output function from the value stored.
  canonical.clear();
  auto known_or_printed = [&](int i, const std::optional<std::string>& known) {
    if (n[i])
      canonical += "N;";
    else if (known)
      append_field(canonical, *known);
    else
      append_field(canonical, output_text(kTypes[i], v[i]));
  };
  append_number(canonical, id);
  append_number(canonical, e.at);
  append_field(canonical, e.actor);
  append_field(canonical, e.db_role);
  known_or_printed(4, plain_ipv4(e.client_addr) ? std::optional(e.client_addr) : std::nullopt);
  append_field(canonical, e.application);
  append_field(canonical, e.operation);
  append_number(canonical, e.relation);
  append_field(canonical, e.relation_name);
  known_or_printed(9, plain_text_array(e.columns));
  known_or_printed(10, plain_text_array(e.key_columns));
  // Integer keys: written in jsonb's and int8multirange's output forms (row_keys.hpp).
  known_or_printed(11, ranges ? e.row_keys : std::nullopt);
  known_or_printed(12, ranges ? e.key_ranges : std::nullopt);
  if (single_key)
    append_number(canonical, ranges->front().first);
  else
    canonical += "N;";
  append_field(canonical, e.keys_complete ? "t" : "f");
  append_number(canonical, e.row_count);
  append_number(canonical, e.query_id);
  append_field(canonical, e.masked ? "t" : "f");
  append_field(canonical, e.outcome);
  append_number(canonical, e.nesting_level);
  append_number(canonical, e.backend_pid);
  append_number(canonical, logged_at);
}

const char* column_list() {
  return "id, at, actor, db_role, client_addr, application, operation, relation, relation_name, columns, "
         "key_columns, row_keys, key_ranges, row_key, row_keys_complete, row_count, query_id, masked, "
         "outcome, "
         "nesting_level, backend_pid, logged_at";
}

const Oid* column_types() { return kTypes; }

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
