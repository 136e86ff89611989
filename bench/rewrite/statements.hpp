#pragma once
// The statements and the policy catalog of the rewriter benchmark: what the
// demo's applications send (sql/demo/schema.sql), and the demo's `agent`
// policy as the user directory loads it (sql/demo/tags.sql, policies.sql):
// every tagged table read through gdpr_mask_agent.<table>.

#include <string>
#include <vector>

#include "rewrite/policy_catalog.hpp"
#include "rewrite/rewriter.hpp"

namespace gdpr::bench {

using proxy::rewrite::PolicyCatalog;
using proxy::rewrite::RewriteResult;

inline PolicyCatalog demo_policy(const std::string& name, bool masked) {
  PolicyCatalog p;
  p.name = name;
  p.masked = masked;
  p.generation = 1;
  const std::string views = "gdpr_mask_" + name;
  p.tables = {
      {"public", "contacts", views, "contacts", {"name", "email", "phone", "address"}},
      {"public", "agents", views, "agents", {"name", "email"}},
      {"public", "calls", views, "calls", {"caller", "callee", "transcript"}},
      {"public", "recordings", views, "recordings", {"audio"}},
      {"public", "tickets", views, "tickets", {"requester_email", "subject"}},
      {"public", "ticket_messages", views, "ticket_messages", {"author_email", "body"}},
  };
  return p;
}

struct Statement {
  const char* label;
  std::string sql;
  int statements;              // statements in the string, for µs per statement
  RewriteResult::Kind masked;  // what the agent policy must make of it
};

// A 20-statement string: a client batch (a helpdesk screen's refresh plus the
// writes of one ticket update), wrapped in a transaction.
inline std::string twenty_statements() {
  return "BEGIN;"
         "SELECT id, name, email, phone FROM contacts WHERE id = 42;"
         "SELECT id, started_at, caller, duration_s FROM calls WHERE contact_id = 42 ORDER BY started_at "
         "DESC "
         "LIMIT 20;"
         "SELECT t.id, t.subject, t.status FROM tickets t WHERE t.contact_id = 42 ORDER BY t.created_at DESC;"
         "SELECT m.id, m.author_email, m.body FROM ticket_messages m WHERE m.ticket_id = 7 ORDER BY m.id;"
         "SELECT count(*) FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.contact_id = 42;"
         "SELECT a.name, a.email FROM agents a WHERE a.id = 3;"
         "UPDATE tickets SET status = 'pending' WHERE id = 7;"
         "INSERT INTO ticket_messages (ticket_id, author_email, body) VALUES (7, 'agent3@example.com', "
         "'We are looking into it.');"
         "SELECT status FROM tickets WHERE id = 7;"
         "SELECT count(*) FROM ticket_messages WHERE ticket_id = 7;"
         "SELECT max(started_at) FROM calls WHERE contact_id = 42;"
         "SELECT sum(cost) FROM calls WHERE contact_id = 42 AND started_at > now() - interval '30 days';"
         "SELECT id, format, created_at FROM recordings WHERE call_id = 1001;"
         "SELECT c.name FROM contacts c WHERE c.company = 'Acme s.r.o.' ORDER BY c.name LIMIT 10;"
         "SELECT now();"
         "SELECT id, subject FROM tickets WHERE status = 'open' ORDER BY created_at LIMIT 5;"
         "SELECT e.name FROM agents e ORDER BY e.name;"
         "SELECT count(*) FROM calls WHERE agent_id = 3;"
         "COMMIT;";
}

// About 10 KB: what an ORM sends for "the calls of these contacts" — one
// join and a long IN list, the usual shape of a large statement.
inline std::string ten_kilobytes() {
  std::string sql =
      "SELECT c.id, c.name, c.email, c.phone, k.id AS call_id, k.started_at, k.caller, k.callee, "
      "k.duration_s, k.cost FROM contacts c JOIN calls k ON k.contact_id = c.id WHERE c.id IN (";
  for (int id = 100000; sql.size() < 10 * 1024 - 40; ++id) {
    if (id > 100000) sql += ", ";
    sql += std::to_string(id);
  }
  sql += ") ORDER BY c.id, k.started_at DESC";
  return sql;
}

inline std::vector<Statement> statements() {
  using Kind = RewriteResult::Kind;
  return {
      {"point_select", "SELECT * FROM contacts WHERE id = $1", 1, Kind::rewritten},
      {"join_3_tagged",
       "SELECT c.name, c.phone, k.started_at, k.caller, k.duration_s, t.subject, t.status "
       "FROM contacts c JOIN calls k ON k.contact_id = c.id "
       "LEFT JOIN tickets t ON t.contact_id = c.id AND t.created_at::date = k.started_at::date "
       "WHERE c.id = $1 ORDER BY k.started_at DESC LIMIT 50",
       1, Kind::rewritten},
      {"cte_subqueries",
       "WITH recent AS (SELECT contact_id, count(*) AS n, max(started_at) AS last_call FROM calls "
       "WHERE started_at > now() - interval '7 days' GROUP BY contact_id), "
       "busy AS (SELECT contact_id FROM recent WHERE n > (SELECT avg(n) FROM recent)) "
       "SELECT c.id, c.name, c.email, r.n, r.last_call, "
       "(SELECT count(*) FROM tickets t WHERE t.contact_id = c.id AND t.status = 'open') AS open_tickets, "
       "EXISTS (SELECT 1 FROM recordings x JOIN calls y ON y.id = x.call_id WHERE y.contact_id = c.id) "
       "AS recorded FROM contacts c JOIN recent r ON r.contact_id = c.id "
       "WHERE c.id IN (SELECT contact_id FROM busy) ORDER BY r.n DESC LIMIT 20",
       1, Kind::rewritten},
      {"insert_select",
       "INSERT INTO tickets (contact_id, requester_email, subject) "
       "SELECT c.id, 'helpdesk@example.com', 'Call back about call ' || k.id "
       "FROM calls k JOIN contacts c ON c.id = k.contact_id "
       "WHERE k.started_at > now() - interval '1 day' AND k.duration_s < 10",
       1, Kind::rewritten},
      {"twenty_statements", twenty_statements(), 20, Kind::rewritten},
      {"ten_kilobytes", ten_kilobytes(), 1, Kind::rewritten},
  };
}

}  // namespace gdpr::bench
