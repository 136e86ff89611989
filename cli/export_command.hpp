#pragma once
// gdprctl export: a person's data as a spreadsheet, a folder of csv files or
// gdpr_export's JSON document.

#include <libpq-fe.h>

#include <string>

#include "pq.hpp"

namespace gdprctl {

struct ExportOptions {
  std::string identifier;
  std::string format;  // xlsx | csv | json
  std::string output;  // file (xlsx, json; "-" = stdout for json) or folder (csv)
};

int run_export(Connection& conn, const ExportOptions& options);

// Writes a query result as a one-sheet workbook (gdprctl inventory --format xlsx).
void write_result_xlsx(const PGresult* r, const std::string& sheet, const std::string& path);

// The output goes to PATH.partial first and is renamed into place only when
// complete; on any failure the partial output is removed.
class PartialOutput {
 public:
  explicit PartialOutput(std::string path, bool directory);
  ~PartialOutput();
  const std::string& temp_path() const { return temp_; }
  void commit();

 private:
  std::string path_;
  std::string temp_;
  bool committed_ = false;
};

}  // namespace gdprctl
