#pragma once
// The subcommands other than export. Each returns gdprctl's exit code or
// throws Failure.

#include <string>

#include "pq.hpp"

namespace gdprctl {

int run_find(Connection& conn, const std::string& identifier, bool json);

struct EraseOptions {
  std::string identifier;
  bool yes = false;
  bool dry_run = false;
  bool json = false;
};
int run_erase(Connection& conn, const EraseOptions& options);

int run_access_report(Connection& conn, const std::string& identifier, bool json);
int run_audit_verify(Connection& conn, bool json);
int run_inventory(Connection& conn, const std::string& format, const std::string& output);
int run_scan(Connection& conn, int sample_rows, bool json);

}  // namespace gdprctl
