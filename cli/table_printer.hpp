#pragma once
// Prints a result as an aligned text table (like psql's), for people.

#include <libpq-fe.h>

#include <ostream>
#include <string>
#include <vector>

namespace gdprctl {
void print_table(std::ostream& out, const PGresult* r);
void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows);
}  // namespace gdprctl
