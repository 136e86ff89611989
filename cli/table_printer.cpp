#include "table_printer.hpp"

#include <algorithm>

#include "pq.hpp"
#include "values.hpp"

namespace gdprctl {

void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) width[c] = display_width(headers[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], display_width(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string& v = c < cells.size() ? cells[c] : std::string();
      out << (c ? " | " : " ") << v;
      if (c + 1 < width.size()) out << std::string(width[c] - display_width(v), ' ');
    }
    out << '\n';
  };
  line(headers);
  for (std::size_t c = 0; c < width.size(); ++c) out << (c ? "-+-" : "-") << std::string(width[c], '-');
  out << '\n';
  for (const auto& row : rows) line(row);
}

void print_table(std::ostream& out, const PGresult* r) {
  std::vector<std::string> headers;
  for (int c = 0; c < PQnfields(r); ++c) headers.emplace_back(PQfname(r, c));
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r); ++i) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(r); ++c) {
      // One line per row: newlines inside a value are shown as \n.
      std::string v = text(r, i, c);
      std::string shown;
      for (char ch : v) shown += ch == '\n' ? std::string("\\n") : std::string(1, ch);
      row.push_back(std::move(shown));
    }
  }
  print_table(out, headers, rows);
}

}  // namespace gdprctl
