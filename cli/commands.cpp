#include "commands.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <vector>

#include "exit_codes.hpp"
#include "export_command.hpp"
#include "table_printer.hpp"

namespace gdprctl {
namespace {

Failure nothing_found(const std::string& identifier, const std::string& what) {
  return Failure(
      exit_code::not_found, "nothing found for " + identifier + what,
      "gdprctl matches e-mail addresses (any letter case) and phone numbers (any notation) in the "
      "columns tagged as identifying a person; check the identifier or the tags (gdprctl inventory).");
}

void print_json(const PGresult* r) { std::cout << text(r, 0, 0) << '\n'; }

}  // namespace

// ------------------------------------------------------------ find
int run_find(Connection& conn, const std::string& identifier, bool json) {
  if (json) {
    Result r = conn.exec(
        "SELECT jsonb_pretty(coalesce(jsonb_agg(jsonb_build_object('relation', f.relation::text, 'row_key', "
        "f.row_key, "
        "'columns', to_jsonb(f.columns), 'matched_by', f.matched_by) ORDER BY f.relation::text, f.row_key), "
        "'[]')), count(*) FROM gdpr_find($1) f",
        {identifier});
    print_json(r.get());
    if (integer(r.get(), 0, 1) == 0) throw nothing_found(identifier, "");
    return exit_code::ok;
  }
  Result r = conn.exec(
      "SELECT f.relation::text AS \"table\", f.row_key::text AS row_key, "
      "array_to_string(f.columns, ', ') AS columns, f.matched_by "
      "FROM gdpr_find($1) f ORDER BY f.relation::text, f.row_key",
      {identifier});
  if (PQntuples(r.get()) == 0) throw nothing_found(identifier, "");
  print_table(std::cout, r.get());
  std::cout << "(" << PQntuples(r.get()) << (PQntuples(r.get()) == 1 ? " row" : " rows") << ")\n";
  return exit_code::ok;
}

// ------------------------------------------------------------ erase
namespace {
// gdpr_erase's report, one row per table (counts), request id and identifiers.
constexpr const char* erase_sql = R"SQL(
WITH e AS MATERIALIZED (SELECT gdpr_erase($1, dry_run => $2::boolean) AS rep)
SELECT t.key, coalesce((t.value ->> 'rows_deleted')::bigint, 0), coalesce((t.value ->> 'rows_anonymized')::bigint, 0),
       coalesce((t.value ->> 'values_redacted')::bigint, 0), e.rep ->> 'request_id', e.rep ->> 'identifiers'
  FROM e LEFT JOIN LATERAL jsonb_each(CASE jsonb_typeof(e.rep -> 'tables') WHEN 'object' THEN e.rep -> 'tables'
                                           ELSE '{}' END) t ON true
 ORDER BY t.key
)SQL";

struct EraseReport {
  std::vector<std::vector<std::string>> tables;  // table, deleted, anonymised, redacted
  std::string request_id;
  long long total = 0;
};

EraseReport read_report(const PGresult* r) {
  EraseReport rep;
  for (int i = 0; i < PQntuples(r); ++i) {
    rep.request_id = opt_text(r, i, 4).value_or("");
    if (is_null(r, i, 0)) continue;  // no table at all
    rep.tables.push_back({text(r, i, 0), text(r, i, 1), text(r, i, 2), text(r, i, 3)});
    rep.total += integer(r, i, 1) + integer(r, i, 2) + integer(r, i, 3);
  }
  return rep;
}

void print_counts(const EraseReport& rep) {
  print_table(std::cout, {"table", "rows deleted", "rows anonymised", "mentions redacted"}, rep.tables);
}

bool confirmed(const std::string& identifier) {
  std::cerr << "Erase all of the above about " << identifier << " permanently? This cannot be undone.\n"
            << "Type yes to erase: " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "yes";
}
}  // namespace

int run_erase(Connection& conn, const EraseOptions& o) {
  // Decide before touching anything whether we may ask.
  const bool interactive = isatty(STDIN_FILENO);
  if (!o.dry_run && !o.yes && !interactive) {
    throw Failure(exit_code::usage,
                  "refusing to erase without confirmation: standard input is not a terminal",
                  "Run it on a terminal to confirm, or pass --yes (after checking with --dry-run).");
  }

  Result dry = conn.exec(erase_sql, {o.identifier, std::string("true")});
  EraseReport plan = read_report(dry.get());
  if (plan.tables.empty()) throw nothing_found(o.identifier, ": nothing to erase");

  if (o.dry_run || !o.json) {
    std::cout << "Dry run: erasing " << o.identifier << " would change\n";
    print_counts(plan);
  }
  if (o.dry_run) {
    std::cout << "Nothing was changed (dry run).\n";
    return exit_code::ok;
  }
  if (!o.yes && !confirmed(o.identifier)) {
    throw Failure(exit_code::cancelled, "not confirmed: nothing was erased");
  }

  // The erasure and its log entry commit together; the certificate is read
  // from the log (gdpr.erasures) in the same transaction.
  conn.exec("BEGIN");
  Result done = conn.exec(erase_sql, {o.identifier, std::string("false")});
  EraseReport rep = read_report(done.get());
  Result cert = conn.exec(
      "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS \"UTC\"'), actor, "
      "array_to_string(identifier_hashes, ' '), current_database(), "
      "jsonb_pretty(jsonb_build_object('request_id', request_id, 'at', at, 'actor', actor, 'database', "
      "current_database(), 'tables', tables, 'identifier_hashes', to_jsonb(identifier_hashes))) "
      "FROM gdpr.erasures WHERE request_id = $1::uuid",
      {rep.request_id});
  conn.exec("COMMIT");
  if (PQntuples(cert.get()) != 1) {
    throw Failure(exit_code::server_error, "the erasure " + rep.request_id + " is not in gdpr.erasures",
                  "Check SELECT * FROM gdpr.erasures; the erasure itself was committed.");
  }
  if (o.json) {
    std::cout << text(cert.get(), 0, 4) << '\n';
    return exit_code::ok;
  }
  std::cout << "\nERASURE CERTIFICATE\n"
            << "  Request id:   " << rep.request_id << '\n'
            << "  Erased at:    " << text(cert.get(), 0, 0) << '\n'
            << "  Erased by:    " << text(cert.get(), 0, 1) << '\n'
            << "  Database:     " << text(cert.get(), 0, 3) << '\n'
            << "  Identifiers:  keyed hashes (HMAC-SHA-256 with the server's secret), no personal data:\n";
  const std::string hashes = text(cert.get(), 0, 2);
  std::size_t start = 0;
  while (start < hashes.size()) {
    std::size_t end = hashes.find(' ', start);
    if (end == std::string::npos) end = hashes.size();
    std::cout << "    " << hashes.substr(start, end - start) << '\n';
    start = end + 1;
  }
  std::cout << "  Changes:\n";
  print_counts(rep);
  std::cout
      << "Logged in gdpr.erasures; give the request id to the person as the reference of the request.\n";
  return exit_code::ok;
}

// ------------------------------------------------------------ access-report
int run_access_report(Connection& conn, const std::string& identifier, bool json) {
  if (!conn.has_function("gdpr_access_report(text)")) {
    throw Failure(
        exit_code::not_available,
        "this database's gdpr extension has no gdpr_access_report(text): access reports are not available",
        "Upgrade the gdpr extension. Meanwhile gdprctl export lists who accessed the data "
        "(sheet \"About this export\").");
  }
  if (json) {
    Result r = conn.exec(
        "SELECT jsonb_pretty(coalesce(jsonb_agg(to_jsonb(a)), '[]')), count(*) FROM gdpr_access_report($1) a",
        {identifier});
    print_json(r.get());
    if (integer(r.get(), 0, 1) == 0) {
      Result f = conn.exec("SELECT count(*) FROM gdpr_find($1)", {identifier});
      if (integer(f.get(), 0, 0) == 0) throw nothing_found(identifier, "");
    }
    return exit_code::ok;
  }
  Result r = conn.exec("SELECT * FROM gdpr_access_report($1)", {identifier});
  if (PQntuples(r.get()) == 0) {
    Result f = conn.exec("SELECT count(*) FROM gdpr_find($1)", {identifier});
    if (integer(f.get(), 0, 0) == 0) throw nothing_found(identifier, "");
    std::cout << "No recorded access to the data about " << identifier << ".\n";
    return exit_code::ok;
  }
  print_table(std::cout, r.get());
  std::cout << "(" << PQntuples(r.get()) << (PQntuples(r.get()) == 1 ? " access" : " accesses") << ")\n";
  return exit_code::ok;
}

// ------------------------------------------------------------ audit verify
int run_audit_verify(Connection& conn, bool json) {
  Result r = conn.exec("SELECT intact, events_checked, first_bad_event FROM gdpr_audit_verify()");
  const bool intact = text(r.get(), 0, 0) == "t";
  const std::string checked = text(r.get(), 0, 1);
  const auto bad = opt_text(r.get(), 0, 2);
  if (json) {
    std::cout << "{\"intact\": " << (intact ? "true" : "false") << ", \"events_checked\": " << checked
              << ", \"first_bad_event\": " << bad.value_or("null") << "}\n";
  } else if (intact) {
    std::cout << "Audit log intact: " << checked << " events checked, the HMAC chain verifies.\n";
  } else {
    std::cout << "AUDIT LOG TAMPERED: the HMAC chain breaks at event " << bad.value_or("?") << " (" << checked
              << " events checked).\n"
              << "Events from there on may have been edited, deleted, reordered or cut off.\n";
  }
  return intact ? exit_code::ok : exit_code::audit_broken;
}

// ------------------------------------------------------------ inventory
int run_inventory(Connection& conn, const std::string& format, const std::string& output) {
  if (format == "md") {
    Result r = conn.exec("SELECT gdpr_inventory_markdown()");
    if (output.empty() || output == "-") {
      std::cout << text(r.get(), 0, 0);
      return exit_code::ok;
    }
    PartialOutput out(output, false);
    {
      std::ofstream f(out.temp_path(), std::ios::binary);
      f << text(r.get(), 0, 0);
      f.close();
      if (!f) throw Failure(exit_code::local_error, "cannot write " + out.temp_path());
    }
    out.commit();
    std::cerr << "Wrote the inventory to " << output << '\n';
    return exit_code::ok;
  }
  Result r = conn.exec("SELECT * FROM gdpr.inventory ORDER BY schema_name, table_name, attnum");
  write_result_xlsx(r.get(), "Inventory", output);
  std::cerr << "Wrote the inventory (" << PQntuples(r.get()) << " tagged columns) to " << output << '\n';
  return exit_code::ok;
}

// ------------------------------------------------------------ scan
int run_scan(Connection& conn, int sample_rows, bool json) {
  const std::string n = std::to_string(sample_rows);
  if (json) {
    Result r = conn.exec(
        "SELECT jsonb_pretty(coalesce(jsonb_agg(jsonb_build_object('table', s.\"table\"::text, 'column', "
        "s.column_name, 'suggested_label', s.suggested_label, 'confidence', s.confidence, 'examples', "
        "to_jsonb(s.examples))), '[]')) FROM gdpr_scan($1::integer) s",
        {n});
    print_json(r.get());
    return exit_code::ok;
  }
  Result r = conn.exec(
      "SELECT s.\"table\"::text AS \"table\", s.column_name::text AS \"column\", s.suggested_label, "
      "round(s.confidence::numeric, 2) AS confidence, array_to_string(s.examples, ', ') AS examples "
      "FROM gdpr_scan($1::integer) s",
      {n});
  if (PQntuples(r.get()) == 0) {
    std::cout << "No untagged column looks like personal data.\n";
    return exit_code::ok;
  }
  print_table(std::cout, r.get());
  std::cout << "Tag them with: SECURITY LABEL FOR gdpr ON COLUMN <table>.<column> IS '<label>';\n";
  return exit_code::ok;
}

}  // namespace gdprctl
