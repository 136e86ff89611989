// Checks of labels against the database; see validate.hpp.
extern "C" {
#include "postgres.h"

#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include "catalog/validate.hpp"
#include "pg/guard.hpp"

namespace gdpr::catalog {

namespace {

std::string copy_and_free(char* s) {
  std::string out = s != nullptr ? s : "";
  if (s != nullptr) pfree(s);
  return out;
}

}  // namespace

std::string relation_display_name(Oid relid) {
  char* name = pg::guard([&]() -> char* {
    const char* rel = get_rel_name(relid);
    if (rel == nullptr) return nullptr;
    const char* nsp = get_namespace_name(get_rel_namespace(relid));
    return quote_qualified_identifier(nsp, rel);
  });
  return name != nullptr ? copy_and_free(name) : "relation " + std::to_string(relid);
}

void check_taggable_relation(Oid relid) {
  struct Facts {
    char relkind;
    bool system;
  };
  Facts facts = pg::guard([&]() -> Facts {
    Oid nsp = get_rel_namespace(relid);
    char* nspname = get_namespace_name(nsp);
    bool system = IsCatalogRelationOid(relid) || IsCatalogNamespace(nsp) || IsToastNamespace(nsp) ||
                  (nspname != nullptr && strcmp(nspname, "information_schema") == 0);
    return Facts{get_rel_relkind(relid), system};
  });
  const std::string name = relation_display_name(relid);
  if (facts.system) {
    throw Error(sqlstate::wrong_object_type, "cannot tag system catalog " + name,
                "gdpr tags describe personal data in user tables.", "Tag the columns of your own tables.");
  }
  if (facts.relkind != RELKIND_RELATION && facts.relkind != RELKIND_PARTITIONED_TABLE) {
    std::string kind = facts.relkind == RELKIND_VIEW            ? "a view"
                       : facts.relkind == RELKIND_MATVIEW       ? "a materialized view"
                       : facts.relkind == RELKIND_FOREIGN_TABLE ? "a foreign table"
                       : facts.relkind == RELKIND_SEQUENCE      ? "a sequence"
                       : facts.relkind == RELKIND_INDEX || facts.relkind == RELKIND_PARTITIONED_INDEX
                           ? "an index"
                           : "not a table";
    throw Error(sqlstate::wrong_object_type,
                name + " is " + kind + ": gdpr tags apply to tables and their columns",
                "Masking, audit and erasure act on the table that stores the data.",
                "Tag the columns of the underlying table instead.");
  }
}

std::string canonical_interval(const std::string& text) {
  Interval* interval = nullptr;
  try {
    interval = pg::guard([&] {
      return DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(text.c_str()),
                                                   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
    });
  } catch (const PgError&) {
    // The PostgreSQL message ("invalid input syntax for type interval") says
    // less than ours; the PgError's copy is freed with the memory context.
    interval = nullptr;
  }
  const std::string hint = "Write a positive interval, e.g. retention=90 days or retention=2 years.";
  if (interval == nullptr) {
    throw Error(sqlstate::invalid_parameter_value, "invalid retention interval \"" + text + "\"", "", hint);
  }
  if (interval->month < 0 || interval->day < 0 || interval->time < 0 ||
      (interval->month == 0 && interval->day == 0 && interval->time == 0)) {
    throw Error(sqlstate::invalid_parameter_value, "retention interval \"" + text + "\" is not positive", "",
                hint);
  }
  // Printed in the 'postgres' style whatever the session's IntervalStyle, so
  // the canonical label is the same for everyone ("1 year 6 mons").
  struct Text {
    char chars[MAXDATELEN + 1];
  };
  Text text_out = pg::guard([&] {
    Text t{};
    pg_itm itm;
    interval2itm(*interval, &itm);
    EncodeInterval(&itm, INTSTYLE_POSTGRES, t.chars);
    return t;
  });
  return std::string(text_out.chars);
}

std::string check_table_label(Oid relid, TableLabel label) {
  if (!label.retention.empty()) label.retention = canonical_interval(label.retention);
  if (!label.retention_column.empty()) {
    const char* column = label.retention_column.c_str();
    struct Column {
      AttrNumber attnum;
      Oid base_type;
    };
    Column col = pg::guard([&]() -> Column {
      AttrNumber attnum = get_attnum(relid, column);
      if (attnum == InvalidAttrNumber) return Column{attnum, InvalidOid};
      return Column{attnum, getBaseType(get_atttype(relid, attnum))};
    });
    const std::string table = relation_display_name(relid);
    if (col.attnum <= 0) {
      throw Error(sqlstate::undefined_column,
                  "retention_column \"" + label.retention_column + "\" of table " + table + " does not exist",
                  "", "Name a date, timestamp or timestamptz column of " + table + ".");
    }
    if (col.base_type != DATEOID && col.base_type != TIMESTAMPOID && col.base_type != TIMESTAMPTZOID) {
      const std::string type = copy_and_free(pg::guard([&] { return format_type_be(col.base_type); }));
      throw Error(
          sqlstate::datatype_mismatch,
          "retention_column \"" + label.retention_column + "\" of table " + table + " has type " + type,
          "Retention compares the column with now() minus the retention interval.",
          "Name a date, timestamp or timestamptz column.");
    }
  }
  return to_text(label);
}

}  // namespace gdpr::catalog
