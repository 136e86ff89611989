// Internals of the backend-local tag cache (cache.cpp); other rooms use
// catalog.hpp. The cache maps a relation OID to its parsed tags, including
// negative entries ("no tagged column"), and the list of tagged relations.
//
// Invalidation: changes to pg_seclabel do not invalidate the relcache by
// themselves, so the label hook (label_provider.cpp) calls
// CacheInvalidateRelcacheByRelid() for the labelled relation; at commit every
// backend receives that message and our relcache callback drops the entry.
// DROP, RENAME and ALTER of a relation send relcache invalidations anyway.
#pragma once

#include <optional>
#include <string>

#include "catalog/catalog.hpp"
#include "catalog/label.hpp"

namespace gdpr::catalog::cache {

// Registers the relcache callback; once per backend, from init_catalog().
void register_invalidation_callback();

// The `gdpr` label stored on a table (objsubid 0), or nullopt. Read from
// pg_seclabel through its index, not through SQL; not cached (used on DDL paths).
std::optional<std::string> read_table_label(Oid relid);

}  // namespace gdpr::catalog::cache
