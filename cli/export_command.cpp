#include "export_command.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "exit_codes.hpp"
#include "values.hpp"

namespace gdprctl {
namespace fs = std::filesystem;

// ------------------------------------------------------------ partial output
PartialOutput::PartialOutput(std::string path, bool directory)
    : path_(std::move(path)), temp_(path_ + ".partial") {
  std::error_code ec;
  if (directory && fs::exists(path_) && !(fs::is_directory(path_) && fs::is_empty(path_, ec))) {
    throw Failure(exit_code::usage, "output folder " + path_ + " already exists and is not empty",
                  "Give a new folder name with -o, or remove the old export first.");
  }
  if (!directory && fs::is_directory(path_)) {
    throw Failure(exit_code::usage, "output " + path_ + " is a folder", "Give a file name with -o.");
  }
  fs::remove_all(temp_, ec);
  if (directory && !fs::create_directory(temp_, ec)) {
    throw Failure(exit_code::local_error, "cannot create folder " + temp_ + ": " + ec.message());
  }
}

PartialOutput::~PartialOutput() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
  }
}

void PartialOutput::commit() {
  std::error_code ec;
  if (fs::is_directory(path_)) fs::remove(path_, ec);  // an empty folder given as -o
  fs::rename(temp_, path_, ec);
  if (ec)
    throw Failure(exit_code::local_error, "cannot move " + temp_ + " to " + path_ + ": " + ec.message());
  committed_ = true;
}

namespace {

// ------------------------------------------------------------ the export stream
// One query flattens gdpr_export's document, which is computed once (the CTE is
// materialised), into rows the client consumes one at a time (single-row mode):
//   part 0  one row about the export (who, when, totals)
//   part 1  per table and column: name, type, category, purpose, basis
//   part 2  per audit event on her rows: when, who, role, operation, columns, application, table
//   part 3  per row of hers: col_no 0 = why it is listed, then one row per column value
// ordered so the writers can write every sheet/file strictly top to bottom.
constexpr const char* export_stream_sql = R"SQL(
WITH e AS MATERIALIZED (SELECT gdpr_export($1) AS doc),
t AS (SELECT tb.key AS tbl, tb.value AS body FROM e, jsonb_each(e.doc -> 'tables') tb),
c AS (
  SELECT t.tbl, k.key AS col, k.value AS info,
         row_number() OVER (PARTITION BY t.tbl ORDER BY coalesce(a.attnum, 32767), k.key) AS col_no
    FROM t CROSS JOIN LATERAL jsonb_each(t.body -> 'columns') k
    LEFT JOIN pg_catalog.pg_attribute a
           ON a.attrelid = pg_catalog.to_regclass(t.tbl) AND a.attname = k.key AND NOT a.attisdropped),
r AS (SELECT t.tbl, x.value AS row_doc, x.ordinality AS row_no
        FROM t CROSS JOIN LATERAL jsonb_array_elements(t.body -> 'rows') WITH ORDINALITY x),
a AS (SELECT t.tbl, x.value AS ev
        FROM t CROSS JOIN LATERAL jsonb_array_elements(
               CASE jsonb_typeof(t.body -> 'accessed_by') WHEN 'array' THEN t.body -> 'accessed_by' ELSE '[]' END) x)
SELECT 0 AS part, NULL::text AS tbl, (SELECT count(*) FROM r) AS row_no, (SELECT count(*) FROM t) AS col_no,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS v1, current_user::text AS v2,
       coalesce(nullif(current_setting('gdpr.actor', true), ''), session_user::text) AS v3,
       e.doc ->> 'identifier_kind' AS v4, e.doc ->> 'access_history' AS v5, current_database()::text AS v6,
       current_setting('TimeZone') AS v7, NULL::text AS v8
  FROM e
UNION ALL
SELECT 1, c.tbl, 0, c.col_no, c.col, c.info ->> 'type', c.info ->> 'category', c.info ->> 'purpose',
       c.info ->> 'basis', NULL, NULL, NULL
  FROM c
UNION ALL
SELECT 2, NULL, row_number() OVER (ORDER BY a.ev ->> 'at', a.tbl, a.ev ->> 'id'), 0,
       a.ev ->> 'at', a.ev ->> 'actor', a.ev ->> 'db_role', a.ev ->> 'operation',
       (SELECT string_agg(v, ', ') FROM jsonb_array_elements_text(
          CASE jsonb_typeof(a.ev -> 'columns') WHEN 'array' THEN a.ev -> 'columns' ELSE '[]' END) v),
       a.ev ->> 'application', a.tbl, NULL
  FROM a
UNION ALL
SELECT 3, r.tbl, r.row_no, 0, r.row_doc ->> 'matched_by',
       (SELECT string_agg(v, ', ') FROM jsonb_array_elements_text(
          CASE jsonb_typeof(r.row_doc -> 'matched_columns') WHEN 'array' THEN r.row_doc -> 'matched_columns'
               ELSE '[]' END) v),
       NULL, NULL, NULL, NULL, NULL, NULL
  FROM r
UNION ALL
SELECT 3, r.tbl, r.row_no, c.col_no, r.row_doc -> 'data' ->> c.col, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM r JOIN c ON c.tbl = r.tbl
ORDER BY 1, 2, 3, 4
)SQL";

struct ColumnInfo {
  std::string name, type, category, purpose, basis;
  ValueKind kind = ValueKind::text;
};

struct AboutInfo {
  std::string identifier, identifier_kind, produced_at_utc, db_role, actor, database, time_zone,
      access_history;
  long long tables = 0, rows = 0;
};

struct Cell {
  std::optional<std::string> value;
  ValueKind kind = ValueKind::text;
  bool heading = false;
};

// Where the export goes: the xlsx workbook or the csv folder. Calls arrive in
// order: about rows, then each table's header and rows.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void about_row(const std::vector<Cell>& cells) = 0;
  virtual void begin_table(const std::string& table, const std::vector<ColumnInfo>& columns) = 0;
  virtual void table_row(const std::vector<std::optional<std::string>>& values,
                         const std::string& listed) = 0;
  virtual void finish() = 0;
};

// ------------------------------------------------------------ xlsx
class Workbook {
 public:
  explicit Workbook(const std::string& path) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;  // rows go to disk as they are written
    book_ = workbook_new_opt(path.c_str(), &options);
    if (!book_) throw Failure(exit_code::local_error, "cannot create " + path);
    bold_ = workbook_add_format(book_);
    format_set_bold(bold_);
    format_set_bg_color(bold_, 0xDDEBF7);
    title_ = workbook_add_format(book_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    timestamp_ = workbook_add_format(book_);
    format_set_num_format(timestamp_, "yyyy-mm-dd hh:mm:ss");
    date_ = workbook_add_format(book_);
    format_set_num_format(date_, "yyyy-mm-dd");
    wrap_ = workbook_add_format(book_);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
  }
  ~Workbook() {
    if (book_) workbook_close(book_);  // only after a failure: removed with the partial output
  }
  lxw_worksheet* add_sheet(const std::string& name) {
    lxw_worksheet* s = workbook_add_worksheet(book_, name.c_str());
    if (!s) throw Failure(exit_code::local_error, "cannot add worksheet " + name);
    return s;
  }
  void close() {
    lxw_error err = workbook_close(book_);
    book_ = nullptr;
    if (err != LXW_NO_ERROR) {
      throw Failure(exit_code::local_error, std::string("cannot write the workbook: ") + lxw_strerror(err));
    }
  }
  // Writes one value the way its column's type says.
  void write(lxw_worksheet* s, lxw_row_t row, lxw_col_t col, const Cell& cell) {
    lxw_error err = LXW_NO_ERROR;
    if (!cell.value) return;  // NULL: an empty cell
    const std::string& v = *cell.value;
    if (cell.heading) {
      err = worksheet_write_string(s, row, col, clip(v).c_str(), bold_);
    } else if (cell.kind == ValueKind::number) {
      if (auto n = parse_number(v)) {
        err = worksheet_write_number(s, row, col, *n, nullptr);
      } else {
        err = worksheet_write_string(s, row, col, clip(v).c_str(), nullptr);
      }
    } else if (cell.kind == ValueKind::date || cell.kind == ValueKind::timestamp) {
      if (auto d = parse_datetime(v)) {
        lxw_datetime dt{d->year, d->month, d->day, d->hour, d->minute, d->second};
        err = worksheet_write_datetime(s, row, col, &dt, cell.kind == ValueKind::date ? date_ : timestamp_);
      } else {
        err = worksheet_write_string(s, row, col, clip(v).c_str(), nullptr);  // infinity, BC dates
      }
    } else if (cell.kind == ValueKind::boolean) {
      err = worksheet_write_boolean(s, row, col, v == "true" || v == "t", nullptr);
    } else if (cell.kind == ValueKind::binary) {
      // Base64 when it fits in a cell; else its size (the JSON export holds it all).
      std::string b64 = without_newlines(v);
      if (b64.size() > max_cell_chars) {
        b64 = "(binary, " + std::to_string(base64_decoded_size(v)) + " bytes)";
      }
      err = worksheet_write_string(s, row, col, b64.c_str(), nullptr);
    } else {
      err = worksheet_write_string(s, row, col, clip(v).c_str(), nullptr);
    }
    if (err != LXW_NO_ERROR) {
      throw Failure(exit_code::local_error, std::string("cannot write a cell: ") + lxw_strerror(err));
    }
  }
  void write_title(lxw_worksheet* s, lxw_row_t row, const std::string& text) {
    worksheet_write_string(s, row, 0, text.c_str(), title_);
  }

 private:
  static std::string clip(const std::string& v) {
    if (v.size() <= max_cell_chars) return v;
    const std::string note = " ... (cut: longer than a spreadsheet cell holds; see the JSON export)";
    std::string out = v.substr(0, max_cell_chars - note.size());
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
    return out + note;
  }
  lxw_workbook* book_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* timestamp_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* wrap_ = nullptr;
};

class XlsxSink : public Sink {
 public:
  explicit XlsxSink(const std::string& path) : book_(path) {
    about_ = book_.add_sheet("About this export");
    used_names_.insert("about this export");
    worksheet_set_column(about_, 0, 0, 26, nullptr);
    worksheet_set_column(about_, 1, 7, 22, nullptr);
  }
  void about_row(const std::vector<Cell>& cells) override {
    if (cells.size() == 1 && cells[0].heading && about_next_ == 0) {
      book_.write_title(about_, about_next_++, *cells[0].value);
      return;
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      book_.write(about_, about_next_, static_cast<lxw_col_t>(i), cells[i]);
    }
    ++about_next_;
  }
  void begin_table(const std::string& table, const std::vector<ColumnInfo>& columns) override {
    sheet_ = book_.add_sheet(sheet_name(table, used_names_));
    kinds_.clear();
    lxw_col_t col = 0;
    for (const auto& c : columns) {
      kinds_.push_back(c.kind);
      const double width = c.kind == ValueKind::timestamp ? 20
                           : c.kind == ValueKind::date    ? 12
                           : c.kind == ValueKind::number  ? 12
                                                          : 28;
      worksheet_set_column(sheet_, col, col, width, nullptr);
      book_.write(sheet_, 0, col++, Cell{readable_header(c.name), ValueKind::text, true});
    }
    worksheet_set_column(sheet_, col, col, 34, nullptr);
    book_.write(sheet_, 0, col, Cell{"Why this row is listed", ValueKind::text, true});
    worksheet_freeze_panes(sheet_, 1, 0);
    next_row_ = 1;
  }
  void table_row(const std::vector<std::optional<std::string>>& values, const std::string& listed) override {
    lxw_col_t col = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      book_.write(sheet_, next_row_, col++, Cell{values[i], i < kinds_.size() ? kinds_[i] : ValueKind::text});
    }
    book_.write(sheet_, next_row_, col, Cell{listed});
    ++next_row_;
  }
  void finish() override { book_.close(); }

 private:
  Workbook book_;
  lxw_worksheet* about_ = nullptr;
  lxw_row_t about_next_ = 0;
  lxw_worksheet* sheet_ = nullptr;
  lxw_row_t next_row_ = 0;
  std::vector<ValueKind> kinds_;
  std::set<std::string> used_names_;
};

// ------------------------------------------------------------ csv folder
class CsvSink : public Sink {
 public:
  explicit CsvSink(std::string folder) : folder_(std::move(folder)) {
    open(about_, "about_this_export.csv");
    used_.insert("about_this_export.csv");
  }
  void about_row(const std::vector<Cell>& cells) override { line(about_, cells); }
  void begin_table(const std::string& table, const std::vector<ColumnInfo>& columns) override {
    close(table_);
    std::string name = csv_file_name(table);
    for (int n = 2; used_.count(name); ++n) name = csv_file_name(table + "_" + std::to_string(n));
    used_.insert(name);
    open(table_, name);
    std::vector<Cell> header;
    for (const auto& c : columns) header.push_back(Cell{c.name});
    header.push_back(Cell{std::string("listed_because")});
    line(table_, header);
  }
  void table_row(const std::vector<std::optional<std::string>>& values, const std::string& listed) override {
    std::vector<Cell> cells;
    for (const auto& v : values) cells.push_back(Cell{v});
    cells.push_back(Cell{listed});
    line(table_, cells);
  }
  void finish() override {
    close(about_);
    close(table_);
  }

 private:
  void open(std::ofstream& f, const std::string& name) {
    f.open(fs::path(folder_) / name, std::ios::binary);
    if (!f) throw Failure(exit_code::local_error, "cannot create " + (fs::path(folder_) / name).string());
  }
  static void close(std::ofstream& f) {
    if (!f.is_open()) return;
    f.close();
    if (!f) throw Failure(exit_code::local_error, "cannot write a csv file (disk full?)");
  }
  static void line(std::ofstream& f, const std::vector<Cell>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) f << ',';
      if (cells[i].value) f << csv_field(*cells[i].value);
    }
    f << "\r\n";  // RFC 4180
    if (!f) throw Failure(exit_code::local_error, "cannot write a csv file (disk full?)");
  }
  std::string folder_;
  std::ofstream about_;
  std::ofstream table_;
  std::set<std::string> used_;
};

// ------------------------------------------------------------ progress
class Progress {
 public:
  explicit Progress(long long total) : total_(total), enabled_(isatty(STDERR_FILENO) && total > 0) {}
  ~Progress() {
    if (enabled_ && drawn_) std::cerr << "\r\033[K" << std::flush;
  }
  void row_done() {
    ++done_;
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && done_ < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    const int width = 30;
    const int filled = static_cast<int>(width * done_ / total_);
    std::cerr << "\rExporting [" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
              << done_ << "/" << total_ << " rows" << std::flush;
  }

 private:
  long long total_;
  long long done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// ------------------------------------------------------------ the consumer
// Turns the flattened stream into Sink calls, holding at most one row.
class ExportWriter {
 public:
  ExportWriter(Sink& sink, std::string identifier) : sink_(sink) {
    about_.identifier = std::move(identifier);
  }

  void on_row(const PGresult* r) {
    const int part = static_cast<int>(integer(r, 0, 0));
    const std::string table = opt_text(r, 0, 1).value_or("");
    const long long row_no = integer(r, 0, 2);
    const long long col_no = integer(r, 0, 3);
    auto v = [&](int i) { return opt_text(r, 0, 3 + i); };  // v1..v8

    if (part == 0) {
      about_.rows = row_no;
      about_.tables = col_no;
      about_.produced_at_utc = v(1).value_or("");
      about_.db_role = v(2).value_or("");
      about_.actor = v(3).value_or("");
      about_.identifier_kind = v(4).value_or("");
      about_.access_history = v(5).value_or("");
      about_.database = v(6).value_or("");
      about_.time_zone = v(7).value_or("");
      progress_ = std::make_unique<Progress>(about_.rows);
      write_about_header();
    } else if (part == 1) {
      if (!columns_heading_done_) {
        sink_.about_row({});
        sink_.about_row({Cell{std::string("What we hold about you, and why"), ValueKind::text, true}});
        sink_.about_row({heading("Table"), heading("Column"), heading("Category of personal data"),
                         heading("Purpose"), heading("Legal basis"), heading("Type")});
        columns_heading_done_ = true;
      }
      ColumnInfo info{v(1).value_or(""), v(2).value_or(""), v(3).value_or(""), v(4).value_or(""),
                      v(5).value_or("")};
      info.kind = kind_of(info.type);
      if (!info.category.empty()) {
        sink_.about_row({Cell{display_table(table)}, Cell{info.name}, Cell{info.category},
                         Cell{info.purpose.empty() ? std::string("(not stated)") : info.purpose},
                         Cell{info.basis.empty() ? std::string("(not stated)") : info.basis},
                         Cell{info.type}});
      }
      columns_[table].push_back(std::move(info));
    } else if (part == 2) {
      write_access_heading();
      sink_.about_row({Cell{v(1), ValueKind::timestamp}, Cell{v(2)}, Cell{v(3)}, Cell{v(4)},
                       Cell{display_table(v(7).value_or(""))}, Cell{v(5)}, Cell{v(6)}});
      ++access_rows_;
    } else if (part == 3) {
      write_access_heading();
      if (table != current_table_) {
        flush_row();
        current_table_ = table;
        sink_.begin_table(table, columns_[table]);
      }
      if (col_no == 0) {
        flush_row();
        listed_ = listed_because(v(1).value_or(""), v(2).value_or(""));
        in_row_ = true;
      } else {
        values_.push_back(v(1));
      }
    }
  }

  // Returns the number of rows exported.
  long long finish() {
    flush_row();
    write_access_heading();
    progress_.reset();
    sink_.finish();
    return rows_written_;
  }

 private:
  static Cell heading(const char* s) { return Cell{std::string(s), ValueKind::text, true}; }
  static std::string display_table(const std::string& t) {
    return t.starts_with("public.") ? t.substr(7) : t;
  }

  void write_about_header() {
    sink_.about_row({Cell{std::string("About this export"), ValueKind::text, true}});
    sink_.about_row({});
    auto pair = [&](const char* k, std::string value, ValueKind kind = ValueKind::text) {
      sink_.about_row({heading(k), Cell{std::move(value), kind}});
    };
    pair("Data about", about_.identifier + " (" + about_.identifier_kind + ")");
    pair("Produced at (UTC)", about_.produced_at_utc, ValueKind::timestamp);
    pair("Produced by",
         about_.actor + (about_.actor == about_.db_role ? "" : " (database role " + about_.db_role + ")"));
    pair("Database", about_.database);
    pair("Times in the sheets are in time zone", about_.time_zone);
    pair("Tables", std::to_string(about_.tables));
    pair("Rows", std::to_string(about_.rows));
    pair("Contents", "One sheet per table holding your data; each row says why it is listed.");
  }

  void write_access_heading() {
    if (access_heading_done_) return;
    access_heading_done_ = true;
    sink_.about_row({});
    sink_.about_row({Cell{std::string("Who accessed your data, and when"), ValueKind::text, true}});
    if (about_.access_history != "included") {
      sink_.about_row(
          {Cell{about_.access_history.empty() ? std::string("not available") : about_.access_history}});
      return;
    }
    sink_.about_row({heading("When"), heading("Who"), heading("Database role"), heading("Operation"),
                     heading("Table"), heading("Columns"), heading("Application")});
    pending_no_access_note_ = true;
  }

  void flush_row() {
    if (pending_no_access_note_) {
      pending_no_access_note_ = false;
      if (access_rows_ == 0) sink_.about_row({Cell{std::string("No recorded access.")}});
    }
    if (!in_row_) return;
    sink_.table_row(values_, listed_);
    values_.clear();
    in_row_ = false;
    ++rows_written_;
    if (progress_) progress_->row_done();
  }

  Sink& sink_;
  AboutInfo about_;
  std::map<std::string, std::vector<ColumnInfo>> columns_;
  bool columns_heading_done_ = false;
  bool access_heading_done_ = false;
  bool pending_no_access_note_ = false;
  long long access_rows_ = 0;
  std::string current_table_;
  bool in_row_ = false;
  std::string listed_;
  std::vector<std::optional<std::string>> values_;
  long long rows_written_ = 0;
  std::unique_ptr<Progress> progress_;
};

Failure nothing_found(const std::string& identifier) {
  return Failure(exit_code::not_found, "nothing found for " + identifier + ": no export written",
                 "Check the identifier (e-mail address or phone number), or run: gdprctl find " + identifier);
}

}  // namespace

int run_export(Connection& conn, const ExportOptions& o) {
  if (o.format == "json") {
    Result r = conn.exec(
        "WITH e AS MATERIALIZED (SELECT gdpr_export($1) AS doc) "
        "SELECT jsonb_pretty(doc), doc -> 'tables' = '{}'::jsonb FROM e",
        {o.identifier});
    if (text(r.get(), 0, 1) == "t") throw nothing_found(o.identifier);
    if (o.output == "-") {
      std::cout << text(r.get(), 0, 0) << '\n';
      return exit_code::ok;
    }
    PartialOutput out(o.output, false);
    {
      std::ofstream f(out.temp_path(), std::ios::binary);
      f << text(r.get(), 0, 0) << '\n';
      f.close();
      if (!f) throw Failure(exit_code::local_error, "cannot write " + out.temp_path());
    }
    out.commit();
    std::cerr << "Exported the data about " << o.identifier << " to " << o.output << '\n';
    return exit_code::ok;
  }

  const bool csv = o.format == "csv";
  std::string path = o.output;
  while (path.size() > 1 && path.back() == '/') path.pop_back();  // "jane-csv/" names the folder
  PartialOutput out(path, csv);
  long long rows = 0;
  {
    std::unique_ptr<Sink> sink;
    if (csv) {
      sink = std::make_unique<CsvSink>(out.temp_path());
    } else {
      sink = std::make_unique<XlsxSink>(out.temp_path());
    }
    ExportWriter writer(*sink, o.identifier);
    conn.stream(export_stream_sql, {o.identifier}, [&](const PGresult* r) { writer.on_row(r); });
    rows = writer.finish();
  }
  if (rows == 0) throw nothing_found(o.identifier);
  out.commit();
  std::cerr << "Exported " << rows << " rows about " << o.identifier << " to " << o.output << '\n';
  return exit_code::ok;
}

void write_result_xlsx(const PGresult* r, const std::string& sheet, const std::string& path) {
  PartialOutput out(path, false);
  {
    Workbook book(out.temp_path());
    lxw_worksheet* s = book.add_sheet(sheet);
    for (int c = 0; c < PQnfields(r); ++c) {
      worksheet_set_column(s, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), 18, nullptr);
      book.write(s, 0, static_cast<lxw_col_t>(c),
                 Cell{readable_header(PQfname(r, c)), ValueKind::text, true});
    }
    worksheet_freeze_panes(s, 1, 0);
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int c = 0; c < PQnfields(r); ++c) {
        std::optional<std::string> v = opt_text(r, i, c);
        if (v && PQftype(r, c) == 16) *v = *v == "t" ? "yes" : "no";  // boolean
        book.write(s, static_cast<lxw_row_t>(i + 1), static_cast<lxw_col_t>(c), Cell{v});
      }
    }
    book.close();
  }
  out.commit();
}

}  // namespace gdprctl
