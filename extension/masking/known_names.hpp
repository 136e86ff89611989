// The names of data subjects that the `redact` mask replaces with [name]:
// every value of a column tagged `name` (contacts.name, agents.name ...).
//
// The subject index (sql/extension/30_subject.sql) holds them as keyed
// hashes only (subject/identifier_hash.hpp: name_value_hashes). Each backend
// keeps the set of those hashes in memory and answers identifiers::find_names
// by hashing the folded words of the text it is asked about (a bounded memo
// keeps the HMAC off the hot path for words seen before).
//
// Currency: the index triggers call gdpr._subject_names_changed() when a
// statement changes the set of names, which invalidates this cache in every
// backend: in the writing session from its next statement on, in the others
// from their first statement after the writer commits. (A statement that
// starts within microseconds of that commit, before the invalidation is
// broadcast, may still use the previous set; the next one will not.)
#pragma once

#include "identifiers/identifiers.hpp"

namespace gdpr::masking {

// The directory of known names, brought up to date for the statement that is
// starting (processes pending invalidations, reloads when needed). nullptr
// when no name is known, so callers skip the name scan. Call once per
// statement and call site, not per value. Throws gdpr::PgError / gdpr::Error
// (key file missing, catalog errors).
identifiers::NameDirectory* known_names_for_statement();

}  // namespace gdpr::masking
