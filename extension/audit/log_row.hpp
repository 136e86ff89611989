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
inline constexpr int kSignedColumns = 21;

// "id, at, actor, ..." in signing order (for SELECT and INSERT lists).
const char* column_list();
// The column types, for SPI_prepare.
const Oid* column_types();

// Datums of the row (palloc'd in the current memory context); `logged_at`
// (TimestampTz) is the writer's time, the partition key. May throw
// gdpr::PgError (bad input cannot reach here: the writer built it).
void to_datums(int64_t id, int64_t logged_at, const Event& event, Datum* values, bool* nulls);

// The writer's path: the row as datums plus the canonical text of every
// column, computed from the Event in C++ where the canonical form is known
// (numbers, text, simple arrays, IPv4, integer row keys and ranges, which
// capture already writes in jsonb's and int8multirange's output form), and
// through PostgreSQL's input and output functions otherwise. Columns whose
// transport is text (inet, text[], jsonb, int8multirange: see the writer)
// get no datum, only their text. Equal, by construction and by the
// regression tests' gdpr_audit_verify(), to canonical_fields() of the stored
// row. May throw gdpr::PgError.
void to_row(int64_t id, int64_t logged_at, const Event& event, Datum* values, bool* nulls,
            std::vector<std::optional<std::string>>& fields);
// True for the column types that travel to the INSERT as their text.
bool transported_as_text(Oid type);

// The canonical text of each column of a row given as datums in
// column_list() order (nullopt = NULL), and their signed encoding.
std::vector<std::optional<std::string>> canonical_fields(const Datum* values, const bool* nulls);
std::string canonical(const Datum* values, const bool* nulls);

}  // namespace gdpr::audit::log_row
