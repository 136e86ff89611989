// gdpr_scan(sample_rows): untagged columns that look like personal data.
//
// Runs as the caller, through SPI (a DBA's tool, not a hot path): one query
// lists the untagged columns of user tables, then one bounded sample per table
// reads at most sample_rows rows. Tables larger than twice the sample are read
// with TABLESAMPLE SYSTEM, whose percentage is chosen from the planner's row
// estimate, so only about that many rows' pages are visited even on a
// 10-million-row table; REPEATABLE keeps results stable between runs. Columns
// the caller may not SELECT are judged by their name only. The rules
// themselves live in scan_rules.cpp.
extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "catalog/scan_rules.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"
#include "settings.hpp"

namespace gdpr::catalog::scan {

namespace {

constexpr int kMaxSampleRows = 100000;
constexpr int kExamples = 3;
constexpr int kSampledTextLength = 200;  // longer values are cut before leaving the server

// Untagged columns of user tables; ordered so columns of a table are adjacent.
constexpr const char* kCandidateQuery = R"SQL(
SELECT c.oid,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       a.attname,
       CASE coalesce(bt.oid, t.oid) WHEN 'bytea'::regtype THEN 'B' WHEN 'date'::regtype THEN 'd'
            ELSE coalesce(bt.typcategory, t.typcategory) END,
       has_schema_privilege(n.oid, 'USAGE') AND has_column_privilege(c.oid, a.attnum, 'SELECT'),
       c.reltuples,
       pg_relation_size(c.oid) / current_setting('block_size')::bigint,
       c.relkind = 'p'
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'gdpr') AND n.nspname NOT LIKE 'pg\_toast%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
   AND NOT EXISTS (SELECT 1 FROM pg_seclabel s
                    WHERE s.objoid = c.oid AND s.classoid = 'pg_class'::regclass AND s.objsubid = a.attnum
                      AND s.provider = 'gdpr')
 ORDER BY n.nspname, c.relname, a.attnum
)SQL";

struct Column {
  std::string name;
  TypeClass type;
  bool readable;
  std::vector<std::optional<std::string>> sample;  // filled for sampled columns
};

struct Table {
  Oid relid;
  std::string qualified_name;  // quoted for SQL
  double estimated_rows;
  bool partitioned;
  std::vector<Column> columns;
};

struct Row {
  Oid relid;
  std::string column;
  std::string label;
  float confidence;
  std::vector<std::string> examples;
};

TypeClass type_class(const std::string& category) {
  if (category == "S") return TypeClass::text;
  if (category == "N") return TypeClass::number;
  if (category == "D") return TypeClass::date_time;
  if (category == "d") return TypeClass::date;
  if (category == "I") return TypeClass::network;
  if (category == "B") return TypeClass::binary;
  return TypeClass::other;
}

bool sampled(const Column& column) {
  return column.readable && (column.type == TypeClass::text || column.type == TypeClass::network ||
                             column.type == TypeClass::date);
}

// --- SPI, each call guarded; results copied out before the next call ---

uint64 spi_run(const std::string& query) {
  const char* sql = query.c_str();
  int rc = pg::guard([&] { return SPI_execute(sql, true, 0); });
  if (rc != SPI_OK_SELECT) throw Error(sqlstate::internal_error, "gdpr_scan: query failed: " + query);
  return SPI_processed;
}

std::optional<std::string> spi_text(uint64 row, int column) {
  char* value =
      pg::guard([&] { return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column); });
  if (value == nullptr) return std::nullopt;
  std::string out(value);
  pfree(value);
  return out;
}

// The rows are copied out; without this every table's sample would stay in
// memory until SPI_finish. Frees memory only, so it cannot fail.
void free_result() { SPI_freetuptable(SPI_tuptable); }

std::vector<Table> list_candidates() {
  std::vector<Table> tables;
  const uint64 rows = spi_run(kCandidateQuery);
  for (uint64 r = 0; r < rows; ++r) {
    const Oid relid = static_cast<Oid>(std::stoul(spi_text(r, 1).value()));
    if (tables.empty() || tables.back().relid != relid) {
      tables.push_back(Table{relid,
                             spi_text(r, 2).value(),
                             std::stod(spi_text(r, 6).value_or("-1")),
                             spi_text(r, 8).value_or("f") == "t",
                             {}});
      const double pages = std::stod(spi_text(r, 7).value_or("0"));
      // Never analysed (reltuples -1): guess from the size on disk.
      if (tables.back().estimated_rows < 0) tables.back().estimated_rows = pages * 100;
    }
    tables.back().columns.push_back(Column{spi_text(r, 3).value(),
                                           type_class(spi_text(r, 4).value_or("")),
                                           spi_text(r, 5).value_or("f") == "t",
                                           {}});
  }
  free_result();
  return tables;
}

std::string sample_query(const Table& table, int sample_rows, bool use_tablesample) {
  std::string select;
  for (const auto& column : table.columns) {
    if (!sampled(column)) continue;
    if (!select.empty()) select += ", ";
    char* quoted = pg::guard([&] { return pstrdup(quote_identifier(column.name.c_str())); });
    // host(): inet's text form carries the netmask (192.0.2.10/32); dates
    // are read in ISO 8601 whatever the session's DateStyle.
    std::string value = std::string(quoted) + "::text";
    if (column.type == TypeClass::network) value = "host(" + std::string(quoted) + ")";
    if (column.type == TypeClass::date) value = "to_char(" + std::string(quoted) + ", 'YYYY-MM-DD')";
    select += "left(" + value + ", " + std::to_string(kSampledTextLength) + ")";
    pfree(quoted);
  }
  std::string query = "SELECT " + select + " FROM " + table.qualified_name;
  if (use_tablesample) {
    // Twice the wanted rows' share of pages: SYSTEM picks whole pages at random.
    double percent = std::min(100.0, 100.0 * 2.0 * sample_rows / table.estimated_rows);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, " TABLESAMPLE SYSTEM (%.6f) REPEATABLE (0)",
                  std::max(percent, 0.000001));
    query += buffer;
  }
  return query + " LIMIT " + std::to_string(sample_rows);
}

void sample(Table& table, int sample_rows) {
  bool any = false;
  for (const auto& column : table.columns) any = any || sampled(column);
  if (!any) return;
  // Partitioned parents have no size of their own; LIMIT alone still bounds the read.
  bool use_tablesample = !table.partitioned && table.estimated_rows > 2.0 * sample_rows;
  uint64 rows = spi_run(sample_query(table, sample_rows, use_tablesample));
  if (rows == 0 && use_tablesample) rows = spi_run(sample_query(table, sample_rows, false));  // unlucky pages
  for (uint64 r = 0; r < rows; ++r) {
    int field = 1;
    for (auto& column : table.columns) {
      if (sampled(column)) column.sample.push_back(spi_text(r, field++));
    }
  }
  free_result();
}

// What reading a value depends on: the phone region, and the current year
// (birth dates are at least 14 years old).
struct Reading {
  std::string region;
  int year;
};

// Masked examples; with only_matching, only values that show `category`.
std::vector<std::string> examples_of(const Column& column, bool only_matching, Category category,
                                     const Reading& reading) {
  std::vector<std::string> out;
  for (const auto& value : column.sample) {
    if (!value || value->empty()) continue;
    if (only_matching &&
        classify_value(*value, reading.region, reading.year) != std::optional<Category>(category))
      continue;
    std::string masked = mask_example(*value, category);
    if (std::find(out.begin(), out.end(), masked) == out.end()) out.push_back(std::move(masked));
    if (static_cast<int>(out.size()) == kExamples) break;
  }
  return out;
}

std::optional<Row> judge(const Table& table, const Column& column, const Reading& reading) {
  ValueEvidence evidence;
  for (const auto& value : column.sample) {
    if (value) evidence.add(classify_value(*value, reading.region, reading.year));
  }
  auto by_name = suggest_from_name(column.name, column.type);
  auto by_values = suggest_from_values(evidence);
  auto suggestion = combine(by_name, by_values, evidence);
  if (!suggestion) return std::nullopt;
  const bool value_backed = evidence.count(suggestion->category) > 0;
  return Row{table.relid, column.name, suggested_label(suggestion->category), suggestion->confidence,
             examples_of(column, value_backed, suggestion->category, reading)};
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

void emit(FunctionCallInfo fcinfo, const std::vector<Row>& rows) {
  pg::guard([&] { InitMaterializedSRF(fcinfo, 0); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  AttInMetadata* meta = pg::guard([&] { return TupleDescGetAttInMetadata(rsinfo->setDesc); });
  for (const auto& row : rows) {
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.2f", static_cast<double>(row.confidence));
    const std::string relid = std::to_string(row.relid);
    const std::string examples = array_literal(row.examples);
    char* values[] = {const_cast<char*>(relid.c_str()), const_cast<char*>(row.column.c_str()),
                      const_cast<char*>(row.label.c_str()), confidence, const_cast<char*>(examples.c_str())};
    pg::guard([&] { tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, values)); });
  }
}

Datum gdpr_scan_body(FunctionCallInfo fcinfo) {
  const int sample_rows = PG_GETARG_INT32(0);
  if (sample_rows < 1 || sample_rows > kMaxSampleRows) {
    throw Error(sqlstate::invalid_parameter_value,
                "sample_rows must be between 1 and 100000, not " + std::to_string(sample_rows),
                "gdpr_scan reads at most sample_rows rows of each table.",
                "The default, 1000, suits most tables.");
  }
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const Reading reading{settings::default_phone_region != nullptr ? settings::default_phone_region : "SK",
                        utc.tm_year + 1900};

  std::vector<Row> rows;
  pg::guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "gdpr_scan: SPI_connect failed");
  });
  // On an error the transaction is aborted, which also closes SPI; SPI_finish
  // is only for the normal path (it would free the copied error otherwise).
  for (Table& table : list_candidates()) {
    pg::guard([] { CHECK_FOR_INTERRUPTS(); });  // a cancel between tables unwinds C++ cleanly
    sample(table, sample_rows);
    for (const auto& column : table.columns) {
      if (auto row = judge(table, column, reading)) rows.push_back(std::move(*row));
    }
  }
  pg::guard([] { SPI_finish(); });
  emit(fcinfo, rows);
  return static_cast<Datum>(0);
}

}  // namespace

}  // namespace gdpr::catalog::scan

GDPR_SQL_FUNCTION(gdpr_scan, gdpr::catalog::scan::gdpr_scan_body)
