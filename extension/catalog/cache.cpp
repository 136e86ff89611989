// The backend-local tag cache behind catalog.hpp; see cache.hpp for how it is
// kept current. Loading reads pg_seclabel through its index with a systable
// scan (no SQL, no SPI: lookup() runs inside executor hooks, where starting a
// nested SPI query would be expensive and re-entrant).
extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_seclabel.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "catalog/cache.hpp"
#include "pg/guard.hpp"

namespace gdpr::catalog {

namespace {

constexpr const char* kProvider = "gdpr";

// Parsed tags per relation; a null pointer is a cached "no tagged column".
std::unordered_map<Oid, std::unique_ptr<TableTags>> tags_by_relation;
std::optional<std::vector<Oid>> tagged_relation_list;
uint64_t catalog_version = 1;
uint64_t invalidations_received = 0;  // every callback, relevant or not: detects a mid-load change

// Relcache invalidation: relid is InvalidOid when the whole relcache is reset.
// Runs while PostgreSQL processes invalidation messages, possibly in the
// middle of our own loading (see load_until_stable); erasing never throws.
void on_relcache_invalidation(Datum /*arg*/, Oid relid) {
  ++invalidations_received;
  bool dropped = tagged_relation_list.has_value();
  tagged_relation_list.reset();
  if (relid == InvalidOid) {
    dropped = dropped || !tags_by_relation.empty();
    tags_by_relation.clear();
  } else {
    dropped = tags_by_relation.erase(relid) > 0 || dropped;
  }
  if (dropped) ++catalog_version;
}

// A child memory context for the palloc'd results of one catalog read; deleted
// on scope exit whether or not a PgError unwinds through.
class ScratchContext {
 public:
  ScratchContext()
      : context_(pg::guard([] {
          return AllocSetContextCreate(CurrentMemoryContext, "gdpr catalog", ALLOCSET_SMALL_SIZES);
        })) {}
  ~ScratchContext() { MemoryContextDelete(context_); }  // cannot fail
  ScratchContext(const ScratchContext&) = delete;
  ScratchContext& operator=(const ScratchContext&) = delete;
  MemoryContext get() const { return context_; }

 private:
  MemoryContext context_;
};

struct RawLabel {
  int32 objsubid;
  char* label;
};

// The `gdpr` labels of one relation (table and columns), palloc'd in `into`.
List* read_raw_labels(Oid relid, MemoryContext into) {
  return pg::guard([&]() -> List* {
    MemoryContext old = MemoryContextSwitchTo(into);
    List* out = NIL;
    Relation rel = table_open(SecLabelRelationId, AccessShareLock);
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], Anum_pg_seclabel_objoid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
    ScanKeyInit(&keys[1], Anum_pg_seclabel_classoid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(RelationRelationId));
    SysScanDesc scan = systable_beginscan(rel, SecLabelObjectIndexId, true, nullptr, 2, keys);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != nullptr) {
      auto* row = reinterpret_cast<FormData_pg_seclabel*>(GETSTRUCT(tuple));
      bool isnull = false;
      Datum provider = heap_getattr(tuple, Anum_pg_seclabel_provider, RelationGetDescr(rel), &isnull);
      if (isnull || strcmp(TextDatumGetCString(provider), kProvider) != 0) continue;
      Datum label = heap_getattr(tuple, Anum_pg_seclabel_label, RelationGetDescr(rel), &isnull);
      if (isnull) continue;
      auto* raw = static_cast<RawLabel*>(palloc(sizeof(RawLabel)));
      raw->objsubid = row->objsubid;
      raw->label = TextDatumGetCString(label);
      out = lappend(out, raw);
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    MemoryContextSwitchTo(old);
    return out;
  });
}

std::string column_name_of(Oid relid, int16_t attnum) {
  const char* name = pg::guard([&] { return get_attname(relid, attnum, true); });
  return name != nullptr ? std::string(name) : std::string();
}

[[noreturn]] void refuse_stored_label(Oid relid, const std::string& where, const std::string& label,
                                      const Error& e) {
  const char* table = pg::guard([&] { return get_rel_name(relid); });
  throw Error(
      sqlstate::data_exception,
      "invalid gdpr label stored on " + where + " of table \"" + (table ? table : "?") + "\": " + e.what(),
      "The label is \"" + label + "\". Labels are validated when set; this one was stored another way.",
      "Set the label again with SECURITY LABEL FOR gdpr (or remove it with IS NULL).");
}

// Reads and parses the tags of one relation; nullptr when no column is tagged.
std::unique_ptr<TableTags> load(Oid relid) {
  ScratchContext scratch;
  List* raw = read_raw_labels(relid, scratch.get());
  auto tags = std::make_unique<TableTags>();
  tags->relid = relid;
  std::optional<std::string> table_label;
  ListCell* cell;
  foreach (cell, raw) {
    auto* item = static_cast<RawLabel*>(lfirst(cell));
    std::string text(item->label);
    if (item->objsubid == 0) {
      table_label = std::move(text);
      continue;
    }
    auto attnum = static_cast<int16_t>(item->objsubid);
    std::string column = column_name_of(relid, attnum);
    if (column.empty()) continue;  // a dropped column: PostgreSQL deletes its label with it
    ColumnLabel parsed;
    try {
      parsed = parse_column_label(text);
    } catch (const Error& e) {
      refuse_stored_label(relid, "column \"" + column + "\"", text, e);
    }
    tags->columns.push_back(
        ColumnTag{attnum, std::move(column), parsed.category, parsed.subject, parsed.purpose, parsed.basis});
  }
  if (tags->columns.empty()) return nullptr;
  std::sort(tags->columns.begin(), tags->columns.end(),
            [](const ColumnTag& a, const ColumnTag& b) { return a.attnum < b.attnum; });
  if (table_label) {
    TableLabel parsed;
    try {
      parsed = parse_table_label(*table_label);
    } catch (const Error& e) {
      refuse_stored_label(relid, "the table itself", *table_label, e);
    }
    tags->erase = parsed.erase.value_or(EraseMode::delete_rows);
    tags->retention = parsed.retention;
    if (!parsed.retention_column.empty()) {
      // 0 when the column vanished by a path the DDL hook does not see
      // (DROP TYPE ... CASCADE); retention then has nothing to act on.
      tags->retention_attnum =
          pg::guard([&] { return static_cast<int16_t>(get_attnum(relid, parsed.retention_column.c_str())); });
    }
  }
  return tags;
}

std::vector<Oid> load_tagged_relations() {
  ScratchContext scratch;
  struct Found {
    Oid* oids;
    int count;
  };
  Found found = pg::guard([&]() -> Found {
    MemoryContext old = MemoryContextSwitchTo(scratch.get());
    int capacity = 64;
    Found f{static_cast<Oid*>(palloc(sizeof(Oid) * capacity)), 0};
    Relation rel = table_open(SecLabelRelationId, AccessShareLock);
    SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, nullptr, 0, nullptr);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != nullptr) {
      auto* row = reinterpret_cast<FormData_pg_seclabel*>(GETSTRUCT(tuple));
      if (row->classoid != RelationRelationId || row->objsubid <= 0) continue;
      bool isnull = false;
      Datum provider = heap_getattr(tuple, Anum_pg_seclabel_provider, RelationGetDescr(rel), &isnull);
      if (isnull || strcmp(TextDatumGetCString(provider), kProvider) != 0) continue;
      if (f.count == capacity) {
        capacity *= 2;
        f.oids = static_cast<Oid*>(repalloc(f.oids, sizeof(Oid) * capacity));
      }
      f.oids[f.count++] = row->objoid;
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    MemoryContextSwitchTo(old);
    return f;
  });
  std::vector<Oid> oids(found.oids, found.oids + found.count);
  std::sort(oids.begin(), oids.end());
  oids.erase(std::unique(oids.begin(), oids.end()), oids.end());
  return oids;
}

// Loading looks up column names through the syscache, which may take locks and
// so process invalidation messages; one that arrives mid-load may describe a
// change our read missed. Reload until a read completes without one.
template <typename Load>
auto load_until_stable(Load&& load_once) {
  for (int attempt = 0;; ++attempt) {
    const uint64_t before = invalidations_received;
    auto result = load_once();
    if (invalidations_received == before || attempt >= 8) return result;
  }
}

}  // namespace

const TableTags* lookup(Oid relid) {
  if (auto it = tags_by_relation.find(relid); it != tags_by_relation.end()) return it->second.get();
  auto tags = load_until_stable([&] { return load(relid); });
  auto& slot = tags_by_relation[relid];
  slot = std::move(tags);
  return slot.get();
}

std::vector<Oid> tagged_relations() {
  if (!tagged_relation_list) {
    auto oids = load_until_stable([] { return load_tagged_relations(); });
    tagged_relation_list = std::move(oids);
  }
  return *tagged_relation_list;
}

uint64_t version() noexcept { return catalog_version; }

namespace cache {

void register_invalidation_callback() {
  // Called from _PG_init; only fails on out-of-memory or too many callbacks,
  // both reported by ereport before anything is registered.
  CacheRegisterRelcacheCallback(on_relcache_invalidation, static_cast<Datum>(0));
}

std::optional<std::string> read_table_label(Oid relid) {
  ScratchContext scratch;
  List* raw = read_raw_labels(relid, scratch.get());
  ListCell* cell;
  foreach (cell, raw) {
    auto* item = static_cast<RawLabel*>(lfirst(cell));
    if (item->objsubid == 0) return std::string(item->label);
  }
  return std::nullopt;
}

}  // namespace cache

}  // namespace gdpr::catalog
