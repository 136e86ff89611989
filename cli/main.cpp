// gdprctl: the compliance officer's command line for pg_gdpr.
// Usage and exit codes: gdprctl --help, docs/compliance/gdprctl.md.

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "export_command.hpp"
#include "interrupt.hpp"
#include "pq.hpp"

namespace {

constexpr const char* exit_code_help = R"(Exit codes:
  0 ok                  1 bad arguments or identifier   2 cannot connect
  3 not in gdpr_dpo     4 nothing found                 5 other server error
  6 not available here  7 audit log does not verify    8 cancelled / not confirmed
  9 cannot write the output file)";

void report(const gdprctl::Failure& f) {
  std::cerr << "gdprctl: error: " << f.what() << '\n';
  if (!f.detail.empty()) std::cerr << "DETAIL: " << f.detail << '\n';
  if (!f.hint.empty()) std::cerr << "HINT: " << f.hint << '\n';
  if (!f.sqlstate.empty()) std::cerr << "(SQLSTATE " << f.sqlstate << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gdprctl;
  CLI::App app{
      "gdprctl: answer data-subject requests (GDPR art. 15, 17) against a database with the gdpr extension.",
      "gdprctl"};
  app.set_help_flag("--help", "Print this help message and exit");
  app.set_version_flag("--version", "gdprctl 0.1.0");
  app.footer(
      std::string("Connection options may be given before or after the command; unset ones come from "
                  "PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, ~/.pgpass and pg_service.conf.\n\n") +
      exit_code_help);
  app.require_subcommand(1);
  app.fallthrough();  // -h -p -U -d after the command reach the options below

  ConnectOptions conn_opts;
  app.add_option("-h,--host", conn_opts.host, "Database server host or socket directory");
  app.add_option("-p,--port", conn_opts.port, "Database server port");
  app.add_option("-U,--username", conn_opts.user, "Database user (must be a member of gdpr_dpo)");
  app.add_option("-d,--dbname", conn_opts.dbname,
                 "Database name, or a connection string / URI (\"service=x\", \"host=... sslmode=require\")");

  ExportOptions export_opts;
  auto* export_cmd = app.add_subcommand("export", "Write everything about a person to a file (art. 15)");
  export_cmd->add_option("identifier", export_opts.identifier, "E-mail address or phone number")->required();
  auto* export_format_opt =
      export_cmd
          ->add_option(
              "--format,-f", export_opts.format,
              "xlsx, csv (a folder of files) or json; default from -o: *.json json, */ csv, else xlsx")
          ->check(CLI::IsMember({"xlsx", "csv", "json"}))
          ->default_val("xlsx");
  export_cmd
      ->add_option("-o,--output", export_opts.output,
                   "Output file (xlsx, json; - = stdout for json) or folder (csv)")
      ->required();

  std::string identifier;
  bool json = false;
  auto* find_cmd = app.add_subcommand("find", "List every row that holds the person's data");
  find_cmd->add_option("identifier", identifier, "E-mail address or phone number")->required();
  find_cmd->add_flag("--json", json, "Print JSON for scripts");

  EraseOptions erase_opts;
  auto* erase_cmd =
      app.add_subcommand("erase", "Erase the person everywhere (art. 17) and print the certificate");
  erase_cmd->add_option("identifier", erase_opts.identifier, "E-mail address or phone number")->required();
  erase_cmd->add_flag("--yes,-y", erase_opts.yes, "Do not ask for confirmation");
  erase_cmd->add_flag("--dry-run,-n", erase_opts.dry_run, "Only show what would be erased");
  erase_cmd->add_flag("--json", erase_opts.json, "Print the certificate as JSON");

  auto* access_cmd = app.add_subcommand("access-report", "Who accessed the person's data, and when");
  access_cmd->add_option("identifier", identifier, "E-mail address or phone number")->required();
  access_cmd->add_flag("--json", json, "Print JSON for scripts");

  auto* audit_cmd = app.add_subcommand("audit", "Audit log operations");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd =
      audit_cmd->add_subcommand("verify", "Verify the audit log's HMAC chain (tamper evidence)");
  verify_cmd->add_flag("--json", json, "Print JSON for scripts");

  std::string inventory_format = "md";
  std::string inventory_output;
  auto* inventory_cmd = app.add_subcommand("inventory", "The record of processing activities (art. 30)");
  inventory_cmd->add_option("--format,-f", inventory_format, "md (default) or xlsx")
      ->check(CLI::IsMember({"md", "xlsx"}))
      ->default_val("md");
  inventory_cmd->add_option("-o,--output", inventory_output, "Output file (default for md: stdout)");

  int sample_rows = 1000;
  auto* scan_cmd = app.add_subcommand("scan", "Untagged columns that look like personal data");
  scan_cmd->add_option("--sample-rows", sample_rows, "Rows sampled per table")->check(CLI::Range(1, 1000000));
  scan_cmd->add_flag("--json", json, "Print JSON for scripts");

  // CLI11 reports an unknown command as "A subcommand is required": name it.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "-p" || arg == "-U" || arg == "-d" || arg == "--host" || arg == "--port" ||
        arg == "--username" || arg == "--dbname") {
      ++i;  // its value
      continue;
    }
    if (arg.starts_with("-")) continue;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      known |= sub->check_name(arg);
    if (!known) {
      std::cerr << "gdprctl: unknown command '" << arg
                << "'; commands: export, find, erase, access-report, audit verify, inventory, scan\n"
                << "Run with --help for more information.\n";
      return exit_code::usage;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_code::ok : exit_code::usage;
  }

  try {
    if (inventory_cmd->parsed() && inventory_format == "xlsx" && inventory_output.empty()) {
      throw Failure(exit_code::usage, "inventory --format xlsx needs an output file",
                    "Add -o inventory.xlsx.");
    }
    // Without --format, the output's name decides: "x.json" is json, "x/" a csv folder, else xlsx.
    if (export_cmd->parsed() && export_format_opt->count() == 0) {
      if (export_opts.output.ends_with(".json") || export_opts.output == "-") export_opts.format = "json";
      if (export_opts.output.ends_with("/")) export_opts.format = "csv";
    }
    if (export_cmd->parsed() && export_opts.output == "-" && export_opts.format != "json") {
      throw Failure(exit_code::usage, "only --format json can be written to standard output",
                    "Give a file with -o.");
    }
    // Exports hold personal data: files we create are readable by their owner only.
    umask(077);

    Connection conn = Connection::open(conn_opts);
    interrupt::arm(conn.raw());
    int rc = exit_code::ok;
    if (export_cmd->parsed()) {
      rc = run_export(conn, export_opts);
    } else if (find_cmd->parsed()) {
      rc = run_find(conn, identifier, json);
    } else if (erase_cmd->parsed()) {
      rc = run_erase(conn, erase_opts);
    } else if (access_cmd->parsed()) {
      rc = run_access_report(conn, identifier, json);
    } else if (verify_cmd->parsed()) {
      rc = run_audit_verify(conn, json);
    } else if (inventory_cmd->parsed()) {
      rc = run_inventory(conn, inventory_format, inventory_output);
    } else if (scan_cmd->parsed()) {
      rc = run_scan(conn, sample_rows, json);
    }
    interrupt::disarm();
    return rc;
  } catch (const Failure& f) {
    interrupt::disarm();
    report(f);
    return f.exit_code;
  } catch (const std::exception& e) {
    interrupt::disarm();
    std::cerr << "gdprctl: error: " << e.what() << '\n';
    return exit_code::local_error;
  }
}
