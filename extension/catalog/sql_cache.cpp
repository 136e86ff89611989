// The C++ catalog API (catalog.hpp) seen from SQL, for pg_regress: it proves
// that the backend-local cache serves what other rooms will read, and that it
// follows changes (invalidation), including ones committed by other backends.
//   gdpr._catalog_tags(regclass)   lookup(): one row per tagged column
//   gdpr._tagged_relations()       tagged_relations()
//   gdpr._catalog_version()        version()
// Not granted to PUBLIC.
extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/label.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

using gdpr::catalog::TableTags;

// Emits rows given as C strings (nullptr = NULL) into a materialised SRF.
// `flags` as for InitMaterializedSRF: MAT_SRF_USE_EXPECTED_DESC for a
// function returning a set of a scalar type.
void emit_rows(FunctionCallInfo fcinfo, const std::vector<std::vector<std::string>>& rows,
               const std::vector<std::vector<bool>>& nulls, bits32 flags = 0) {
  gdpr::pg::guard([&] { InitMaterializedSRF(fcinfo, flags); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  AttInMetadata* meta = gdpr::pg::guard([&] { return TupleDescGetAttInMetadata(rsinfo->setDesc); });
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<char*> values;
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      values.push_back(nulls[r][c] ? nullptr : const_cast<char*>(rows[r][c].c_str()));
    }
    char** raw = values.data();
    gdpr::pg::guard([&] { tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, raw)); });
  }
}

Datum catalog_tags(FunctionCallInfo fcinfo) {
  const Oid relid = PG_GETARG_OID(0);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<bool>> nulls;
  if (const TableTags* tags = gdpr::catalog::lookup(relid)) {
    for (const auto& column : tags->columns) {
      rows.push_back({std::to_string(column.attnum), column.column_name,
                      std::string(gdpr::catalog::category_name(column.category)), column.subject ? "t" : "f",
                      column.purpose, column.basis, std::string(gdpr::catalog::erase_mode_name(tags->erase)),
                      tags->retention, std::to_string(tags->retention_attnum)});
      nulls.push_back({false, false, false, false, column.purpose.empty(), column.basis.empty(), false,
                       tags->retention.empty(), tags->retention_attnum == 0});
    }
  }
  emit_rows(fcinfo, rows, nulls);
  return static_cast<Datum>(0);
}

Datum tagged_relations(FunctionCallInfo fcinfo) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<bool>> nulls;
  for (Oid relid : gdpr::catalog::tagged_relations()) {
    rows.push_back({std::to_string(relid)});
    nulls.push_back({false});
  }
  emit_rows(fcinfo, rows, nulls, MAT_SRF_USE_EXPECTED_DESC);
  return static_cast<Datum>(0);
}

Datum catalog_version(FunctionCallInfo /*fcinfo*/) {
  return Int64GetDatum(static_cast<int64>(gdpr::catalog::version()));
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_catalog_tags, catalog_tags)
GDPR_SQL_FUNCTION(gdpr_tagged_relations, tagged_relations)
GDPR_SQL_FUNCTION(gdpr_catalog_version, catalog_version)
