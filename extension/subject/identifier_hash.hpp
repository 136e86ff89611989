// How the subject room turns identifiers into keyed hashes.
//
// The subject index, the erasure log and erasure replay never hold an
// identifier in clear: they hold HMAC-SHA-256(keys::derive("identifier"),
// kind ":" normalised value). The same key serves the index and the log, so a
// logged erasure can be looked up in the index of data restored from a backup.
// Pure C++ over identifiers/ and keys/; no PostgreSQL headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identifiers/identifiers.hpp"

namespace gdpr::subject {

// The placeholder that erase writes into NOT NULL text columns and free text.
inline constexpr std::string_view erased_placeholder = "[erased]";

// Keyed hash of a normalised identifier, 64 lower-case hex digits.
std::string identifier_hash(const identifiers::Identifier& id);

// What a compliance officer typed, normalised. Throws gdpr::Error 22023 with a
// hint for an empty, blank or malformed identifier (an '@' that is no valid
// e-mail address, a '+'/'00' number that is no valid phone number).
identifiers::Identifier parse_requested(std::string_view text, std::string_view region);

// A value of a `subject` column of the given catalog category, normalised as
// that category's kind when it is one (e-mail, phone, IP address), otherwise
// classified like a requested identifier. nullopt for NULL-like values: blank
// or the erase placeholder.
std::optional<identifiers::Identifier> normalize_column_value(std::string_view category,
                                                              std::string_view value,
                                                              std::string_view region);

// Keyed hashes of every identifier found inside free text, without duplicates.
std::vector<std::string> text_hashes(std::string_view text, std::string_view region);

// Names of data subjects (values of columns tagged `name`) are indexed too, so
// the `redact` mask can recognise them in free text without the index ever
// holding a name in clear. Per stored name: the hash of each of its keys
// (identifiers::name_keys, hashed as Kind::name) and of each key's first word
// (name_start_hash), which lets a text scan skip words that start no name.
std::vector<std::string> name_value_hashes(std::string_view stored_name);
std::string name_start_hash(std::string_view first_word);

// The partial index of gdpr.subject_index over the name entries
// (sql/extension/30_subject.sql). A relcache invalidation of it says "the
// known names changed" (gdpr._subject_names_changed).
inline constexpr const char* names_index_name = "subject_index_names_idx";

// `text` with every identifier whose hash is in `hashes` replaced by the
// erase placeholder; other identifiers (other people) are kept.
std::string redact_hashes(std::string_view text, const std::vector<std::string>& hashes,
                          std::string_view region);

}  // namespace gdpr::subject
