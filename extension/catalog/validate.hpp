// Checks of a label against the database (validate.cpp): the object is a user
// table or its column, the retention interval is a positive interval, the
// retention_column exists and holds dates or timestamps. Shared by the label
// hook, the DDL hook and the SQL helpers. Each check throws gdpr::Error.
#pragma once

#include <string>

#include "catalog/label.hpp"

namespace gdpr::catalog {

// "schema.table" as SQL would quote it, for messages.
std::string relation_display_name(Oid relid);

// Refuses (42809) anything but an ordinary or partitioned user table.
void check_taggable_relation(Oid relid);

// The interval in PostgreSQL's output form ("2 years", "90 days"); refuses
// (22023) text that is not an interval, or one that is not positive.
std::string canonical_interval(const std::string& text);

// Checks the table-level options against the relation (42703 unknown
// retention_column, 42804 not a date/time column) and returns the label in
// canonical form, with the interval canonicalised.
std::string check_table_label(Oid relid, TableLabel label);

}  // namespace gdpr::catalog
