// SQL-callable helpers of the subject room (schema gdpr, not granted to
// PUBLIC). The request logic itself (find, export, erase, replay) is set-based
// SQL in sql/extension/30_subject.sql; these functions are the parts that need
// C++: identifier normalisation (identifiers/), keyed hashes (keys/), the
// catalog cache (catalog/) and the caller's role outside SECURITY DEFINER.
extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "catalog/namespace.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
}

#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/label.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"
#include "settings.hpp"
#include "subject/identifier_hash.hpp"

namespace {

using gdpr::pg::guard;

std::string text_arg(FunctionCallInfo fcinfo, int n) {
  text* t = guard([&] { return PG_GETARG_TEXT_PP(n); });
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

Datum text_datum(const std::string& s) {
  return guard(
      [&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

std::string region() {
  const char* r = gdpr::settings::default_phone_region;
  return r != nullptr ? r : "SK";
}

Datum text_array_datum(const std::vector<std::string>& values) {
  std::vector<Datum> datums;
  datums.reserve(values.size());
  for (const auto& v : values) datums.push_back(text_datum(v));
  Datum* elems = datums.data();
  const int count = static_cast<int>(datums.size());
  return guard(
      [&] { return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT)); });
}

std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int n) {
  ArrayType* array = guard([&] { return PG_GETARG_ARRAYTYPE_P(n); });
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  guard([&] { deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count); });
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    if (nulls[i]) continue;
    text* t =
        reinterpret_cast<text*>(guard([&] { return PointerGetDatum(PG_DETOAST_DATUM_PACKED(elems[i])); }));
    out.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  }
  return out;
}

// gdpr._subject_request(identifier text) -> (kind text, id_hash text)
// The identifier a compliance officer typed, refused with 22023 when blank or
// malformed; the normalised value itself never leaves C++.
Datum subject_request(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) {
    throw gdpr::Error(gdpr::sqlstate::invalid_parameter_value, "identifier must not be NULL", {},
                      "Pass e.g. 'jane@example.com' or '+421 905 123 456'.");
  }
  const auto id = gdpr::subject::parse_requested(text_arg(fcinfo, 0), region());
  const std::string kind(gdpr::identifiers::kind_name(id.kind));
  const std::string hash = gdpr::subject::identifier_hash(id);
  Datum values[2] = {text_datum(kind), text_datum(hash)};
  bool nulls[2] = {false, false};
  return guard([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      ereport(ERROR,
              (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("gdpr._subject_request must return a row")));
    desc = BlessTupleDesc(desc);
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}

// gdpr._subject_value_hash(category text, value text) -> text (NULL: nothing to index)
Datum subject_value_hash(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
  const auto id = gdpr::subject::normalize_column_value(text_arg(fcinfo, 0), text_arg(fcinfo, 1), region());
  if (!id) PG_RETURN_NULL();
  return text_datum(gdpr::subject::identifier_hash(*id));
}

// gdpr._subject_text_hashes(value text) -> text[] (identifiers inside free text)
Datum subject_text_hashes(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  return text_array_datum(gdpr::subject::text_hashes(text_arg(fcinfo, 0), region()));
}

// gdpr._subject_name_hashes(value text) -> text[] (a stored name's index entries)
Datum subject_name_hashes(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  return text_array_datum(gdpr::subject::name_value_hashes(text_arg(fcinfo, 0)));
}

// gdpr._subject_names_changed(): the set of known names may have changed.
// Tells every backend's name cache (masking/known_names.cpp) by a relcache
// invalidation of the index that holds the names: delivered to this backend
// at the end of the current command and to the others when this transaction
// commits (nothing when it aborts). The index, not the table: plans that use
// gdpr.subject_index stay valid.
Datum subject_names_changed(FunctionCallInfo /*fcinfo*/) {
  const Oid index = guard([] {
    const Oid schema = get_namespace_oid("gdpr", true);
    return OidIsValid(schema) ? get_relname_relid(gdpr::subject::names_index_name, schema) : InvalidOid;
  });
  if (OidIsValid(index)) guard([&] { CacheInvalidateRelcacheByRelid(index); });
  PG_RETURN_VOID();
}

// gdpr._subject_redact(value text, hashes text[]) -> text
Datum subject_redact(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  if (PG_ARGISNULL(1)) return PG_GETARG_DATUM(0);
  const auto hashes = text_array_arg(fcinfo, 1);
  return text_datum(gdpr::subject::redact_hashes(text_arg(fcinfo, 0), hashes, region()));
}

// gdpr._subject_require_dpo(): refuses callers that are not members of
// gdpr_dpo. The SQL entry points are SECURITY DEFINER, so current_user is
// their owner there; the outer user (session user or SET ROLE) is who asks.
Datum subject_require_dpo(FunctionCallInfo /*fcinfo*/) {
  const Oid dpo = guard([] { return get_role_oid("gdpr_dpo", true); });
  const Oid caller = GetOuterUserId();  // reads a variable; cannot fail
  const bool allowed = dpo != InvalidOid && guard([&] { return has_privs_of_role(caller, dpo); });
  if (!allowed) {
    const char* name = guard([&] { return GetUserNameFromId(caller, true); });
    throw gdpr::Error(
        gdpr::sqlstate::insufficient_privilege, "permission denied: data-subject requests need role gdpr_dpo",
        std::string("Role \"") + (name != nullptr ? name : "?") +
            "\" is not a member of gdpr_dpo; only compliance officers may find, export, erase or "
            "replay a person's data.",
        "A superuser can grant it: GRANT gdpr_dpo TO <role>;");
  }
  PG_RETURN_VOID();
}

// gdpr._subject_tags() -> setof (relid oid, attnum int2, column_name text,
//   category text, subject bool, purpose text, basis text, erase text)
// The catalog's tags as rows, read through its cache (catalog/catalog.hpp).
Datum subject_tags(FunctionCallInfo fcinfo) {
  guard([&] { InitMaterializedSRF(fcinfo, 0); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  for (const Oid relid : gdpr::catalog::tagged_relations()) {
    const auto* tags = gdpr::catalog::lookup(relid);
    if (tags == nullptr) continue;
    const std::string erase(gdpr::catalog::erase_mode_name(tags->erase));
    for (const auto& column : tags->columns) {
      Datum values[8] = {
          ObjectIdGetDatum(relid),
          Int16GetDatum(column.attnum),
          text_datum(column.column_name),
          text_datum(std::string(gdpr::catalog::category_name(column.category))),
          BoolGetDatum(column.subject),
          text_datum(column.purpose),
          text_datum(column.basis),
          text_datum(erase),
      };
      bool nulls[8] = {false, false, false, false, false, column.purpose.empty(), column.basis.empty(),
                       false};
      guard([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls); });
    }
  }
  return static_cast<Datum>(0);
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_subject_request, subject_request)
GDPR_SQL_FUNCTION(gdpr_subject_value_hash, subject_value_hash)
GDPR_SQL_FUNCTION(gdpr_subject_text_hashes, subject_text_hashes)
GDPR_SQL_FUNCTION(gdpr_subject_redact, subject_redact)
GDPR_SQL_FUNCTION(gdpr_subject_name_hashes, subject_name_hashes)
GDPR_SQL_FUNCTION(gdpr_subject_names_changed, subject_names_changed)
GDPR_SQL_FUNCTION(gdpr_subject_require_dpo, subject_require_dpo)
GDPR_SQL_FUNCTION(gdpr_subject_tags, subject_tags)
