// The extension's secret, kept in a file outside the database (GUC
// gdpr.key_file) so that a dump, a backup or a superuser reading tables does
// not get it. Each use derives its own key from it, so one leaked derived key
// says nothing about the others:
//   derive("erasure")  keyed hashes of erased identifiers (gdpr.erasures)
//   derive("pseudonym") the `hash` mask
//   derive("audit")     the first key of the audit log's HMAC chain
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace gdpr::keys {

using Key = std::array<uint8_t, 32>;

// HMAC-SHA-256(master, "pg_gdpr:" + purpose). Throws gdpr::Error (55000) with a
// hint when gdpr.key_file is unset, unreadable, or holds fewer than 32 bytes.
// The master key is read once per backend and cached.
Key derive(std::string_view purpose);

// HMAC-SHA-256 of `data` under `key`, as 64 lower-case hex digits.
std::string hmac_hex(const Key& key, std::string_view data);

}  // namespace gdpr::keys
