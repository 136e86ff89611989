// gdpr.audit_log's signed columns in one place: their order and types, how
// an Event becomes a row, and the canonical text the chain signs. The writer
// signs the values it inserts and the verifier re-reads the stored values
// through the same functions, so both see byte-identical text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/event.hpp"
#include "pg/pg_fwd.hpp"

namespace gdpr::audit::log_row {

// Number of signed columns; the mac column follows them in INSERTs.
inline constexpr int kSignedColumns = 20;

// "id, at, actor, ..." in signing order (for SELECT and INSERT lists).
const char* column_list();
// The column types, for SPI_prepare.
const Oid* column_types();

// Datums of the row (palloc'd in the current memory context). May throw
// gdpr::PgError (bad input cannot reach here: the writer built it).
void to_datums(int64_t id, const Event& event, Datum* values, bool* nulls);

// The canonical text of each column of a row given as datums in
// column_list() order (nullopt = NULL), and their signed encoding.
std::vector<std::optional<std::string>> canonical_fields(const Datum* values, const bool* nulls);
std::string canonical(const Datum* values, const bool* nulls);

}  // namespace gdpr::audit::log_row
