// The queue's record format of an audit event (audit/event.hpp): every field
// survives the trip through shared memory, and a damaged record is refused
// rather than misread.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "audit/event.hpp"

namespace gdpr::audit {
namespace {

Event full_event() {
  Event e;
  e.at = 817'000'000'123'456;
  e.query_id = -4'242'424'242'424'242;
  e.row_count = 1'000'000;
  e.relation = 16'384;
  e.backend_pid = 4711;
  e.nesting_level = 2;
  e.masked = true;
  e.actor = "anna";
  e.db_role = "gdpr_policy_agent";
  e.client_addr = "::1";
  e.application = std::string("psql\0with nul", 13);
  e.operation = "SELECT";
  e.outcome = "error";
  e.relation_name = "public.tickets";
  e.columns = {"requester_email", "subject", ""};
  e.key_columns = {"id"};
  e.row_keys = "[5, {\"from\": 10, \"to\": 20}]";
  e.key_ranges = "{[5,5],[10,20]}";
  e.keys_complete = false;
  return e;
}

void expect_same(const Event& a, const Event& b) {
  EXPECT_EQ(a.at, b.at);
  EXPECT_EQ(a.query_id, b.query_id);
  EXPECT_EQ(a.row_count, b.row_count);
  EXPECT_EQ(a.relation, b.relation);
  EXPECT_EQ(a.backend_pid, b.backend_pid);
  EXPECT_EQ(a.nesting_level, b.nesting_level);
  EXPECT_EQ(a.masked, b.masked);
  EXPECT_EQ(a.actor, b.actor);
  EXPECT_EQ(a.db_role, b.db_role);
  EXPECT_EQ(a.client_addr, b.client_addr);
  EXPECT_EQ(a.application, b.application);
  EXPECT_EQ(a.operation, b.operation);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.relation_name, b.relation_name);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(a.key_columns, b.key_columns);
  EXPECT_EQ(a.row_keys, b.row_keys);
  EXPECT_EQ(a.key_ranges, b.key_ranges);
  EXPECT_EQ(a.keys_complete, b.keys_complete);
}

TEST(AuditEvent, EveryFieldRoundTrips) {
  const Event e = full_event();
  expect_same(deserialize(serialize(e)), e);
}

TEST(AuditEvent, AbsentKeysStayAbsentNotEmpty) {
  Event e = full_event();
  e.row_keys.reset();
  e.key_ranges = std::string();  // present but empty differs from absent
  e.columns.clear();
  const Event back = deserialize(serialize(e));
  EXPECT_FALSE(back.row_keys.has_value());
  ASSERT_TRUE(back.key_ranges.has_value());
  EXPECT_EQ(*back.key_ranges, "");
  EXPECT_TRUE(back.columns.empty());
}

TEST(AuditEvent, DefaultEventRoundTrips) { expect_same(deserialize(serialize(Event{})), Event{}); }

TEST(AuditEvent, EveryTruncationIsRefused) {
  const std::string record = serialize(full_event());
  for (size_t n = 0; n < record.size(); ++n)
    EXPECT_THROW(deserialize(std::string_view(record).substr(0, n)), std::runtime_error) << "length " << n;
}

TEST(AuditEvent, TrailingBytesAreRefused) {
  EXPECT_THROW(deserialize(serialize(full_event()) + "x"), std::runtime_error);
}

TEST(AuditEvent, UnknownFormatVersionIsRefused) {
  std::string record = serialize(full_event());
  record[0] = static_cast<char>(record[0] + 1);
  EXPECT_THROW(deserialize(record), std::runtime_error);
}

TEST(AuditEvent, HugeLengthPrefixIsRefusedNotAllocated) {
  std::string record = serialize(Event{});
  // The actor's length prefix follows the fixed-size header; claim 4 GB.
  const size_t actor_length_at = 4 + 8 * 3 + 4 * 3 + 2;
  ASSERT_LT(actor_length_at + 4, record.size());
  for (size_t i = 0; i < 4; ++i) record[actor_length_at + i] = static_cast<char>(0xff);
  EXPECT_THROW(deserialize(record), std::runtime_error);
}

}  // namespace
}  // namespace gdpr::audit
