// One recogniser per kind of identifier, shared by normalize() (a whole value)
// and find_in_text() (free text). Internal to identifiers/: other rooms use
// identifiers.hpp.
//
// canonical_*: takes a value already trimmed and non-empty; returns the
// canonical form, or nullopt when the value is not of that kind.
// find_*: appends every occurrence inside `text` to `out` (any order; the
// caller resolves overlaps between kinds).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identifiers.hpp"

namespace gdpr::identifiers::detail {

std::optional<std::string> canonical_email(std::string_view value);
std::optional<std::string> canonical_iban(std::string_view value);
std::optional<std::string> canonical_phone(std::string_view value, std::string_view region);
std::optional<std::string> canonical_ip(std::string_view value);
std::optional<std::string> canonical_date(std::string_view value);

void find_emails(std::string_view text, std::vector<Match>& out);
void find_ibans(std::string_view text, std::vector<Match>& out);
// `poll` (may be empty) is called between pieces of work.
void find_phones(std::string_view text, std::string_view region, std::vector<Match>& out,
                 const Poll& poll = {}, PhoneRecall recall = PhoneRecall::precise);

// Keeps a non-overlapping subset of `candidates`, sorted by offset: an IBAN
// beats an e-mail address, which beats a phone number, which beats a known
// name; within a kind the earlier match wins.
std::vector<Match> without_overlaps(std::vector<Match> candidates);

}  // namespace gdpr::identifiers::detail
