// SQL access to the label parser, so the gdpr.inventory view and gdpr_tag()
// read labels with the same code as the label hook and the cache:
//   gdpr._column_label(text) -> (category, subject, purpose, basis, canonical)
//   gdpr._table_label(text)  -> (erase, retention, retention_column, canonical)
extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
}

#include <optional>
#include <string>
#include <vector>

#include "catalog/label.hpp"
#include "catalog/validate.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

using Field = std::optional<std::string>;  // nullopt = SQL NULL

std::string text_arg(FunctionCallInfo fcinfo, int n) {
  char* s = gdpr::pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(n)); });
  std::string out(s);
  pfree(s);
  return out;
}

// A row of the function's declared OUT columns, each given as text and read
// by the column type's input function.
Datum make_row(FunctionCallInfo fcinfo, const std::vector<Field>& fields) {
  std::vector<char*> values;
  values.reserve(fields.size());
  for (const auto& f : fields) values.push_back(f ? const_cast<char*>(f->c_str()) : nullptr);
  char** raw = values.data();
  return gdpr::pg::guard([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
      elog(ERROR, "gdpr: function returning record called in a context that cannot accept it");
    }
    AttInMetadata* meta = TupleDescGetAttInMetadata(BlessTupleDesc(desc));
    return HeapTupleGetDatum(BuildTupleFromCStrings(meta, raw));
  });
}

Field optional_text(const std::string& s) { return s.empty() ? Field{} : Field{s}; }

Datum column_label(FunctionCallInfo fcinfo) {
  using namespace gdpr::catalog;
  const ColumnLabel label = parse_column_label(text_arg(fcinfo, 0));
  return make_row(fcinfo, {std::string(category_name(label.category)), std::string(label.subject ? "t" : "f"),
                           optional_text(label.purpose), optional_text(label.basis), to_text(label)});
}

Datum table_label(FunctionCallInfo fcinfo) {
  using namespace gdpr::catalog;
  TableLabel label = parse_table_label(text_arg(fcinfo, 0));
  if (!label.retention.empty()) label.retention = canonical_interval(label.retention);
  return make_row(fcinfo,
                  {std::string(erase_mode_name(label.erase.value_or(EraseMode::delete_rows))),
                   optional_text(label.retention), optional_text(label.retention_column), to_text(label)});
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_column_label, column_label)
GDPR_SQL_FUNCTION(gdpr_table_label, table_label)
