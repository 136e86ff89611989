// See log_insert.hpp. Modelled on COPY FROM's buffered multi-insert: rows
// are collected in slots and written together with table_multi_insert(),
// which WAL-logs the rows of one page in one record, then entered into
// each index of the partition. Every PostgreSQL call runs inside pg::guard.
extern "C" {
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/partition.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "audit/log_insert.hpp"

#include <cstring>
#include <string>
#include <string_view>

#include "pg/error.hpp"
#include "pg/guard.hpp"

namespace gdpr::audit {

namespace {

// Rows written per table_multi_insert() call, as COPY FROM does (its
// MAX_BUFFERED_TUPLES): many pages per call. Their own datums (keys,
// mac; the shared ones are cached per batch) fit in the rows' context's
// first block, which survives its resets: no memory is returned to and
// taken again from the system at every flush.
constexpr int kBufferedRows = 1000;
constexpr Size kRowsMemory = 1024 * 1024;

// The name of column i of a row: log_row::column_list(), then mac.
std::string column_name(int i) {
  if (i == log_row::kSignedColumns) return "mac";
  std::string_view list = log_row::column_list();
  for (int skip = 0; skip < i; ++skip) list.remove_prefix(list.find(", ") + 2);
  return std::string(list.substr(0, list.find(", ")));
}

}  // namespace

struct LogInserter::State {
  Relation log = nullptr;
  Relation partition = nullptr;
  EState* estate = nullptr;
  ResultRelInfo* result = nullptr;
  BulkInsertState bulk = nullptr;
  MemoryContext home = nullptr;  // the slots and executor state: as long as the inserter
  TupleDesc desc = nullptr;      // the partition's, copied: slots need not pin the relcache's
  MemoryContext rows = nullptr;  // the buffered rows' datums: reset after each flush
  CommandId command = 0;
  int natts = 0;
  AttrNumber attnum[kColumns] = {};  // column i of a row -> attribute of the partition
  TupleTableSlot* slots[kBufferedRows] = {};
  int buffered = 0;
  bool partition_checked = false;
  bool open = false;
};

LogInserter::LogInserter(Oid log, Oid partition) : state_(std::make_unique<State>()) {
  State& s = *state_;
  bool is_partition_of_log = false;
  pg::guard([&] {
    // What _audit_ensure_partition() created in this transaction must be visible.
    CommandCounterIncrement();
    // The parent first, as INSERT INTO gdpr.audit_log locks them.
    s.log = table_open(log, RowExclusiveLock);
    s.partition = table_open(partition, RowExclusiveLock);
    is_partition_of_log =
        s.partition->rd_rel->relispartition && get_partition_parent(partition, false) == log;
  });
  s.open = true;
  if (!is_partition_of_log) {
    throw Error(
        sqlstate::wrong_object_type,
        "gdpr audit writer: the partition for this batch is not a partition of gdpr.audit_log",
        "Relation " + std::to_string(partition) + " was named by gdpr._audit_ensure_partition().",
        "Drop the table that has the partition's name (gdpr.audit_log_pYYYYMMDD); the writer re-creates it.");
  }
  // Column i of a row goes to the partition's attribute of the same name: a
  // partition's columns may be numbered differently from its parent's.
  TupleDesc desc = RelationGetDescr(s.partition);
  s.natts = desc->natts;
  for (int i = 0; i < kColumns; ++i) {
    const std::string name = column_name(i);
    for (int a = 0; a < desc->natts && s.attnum[i] == 0; ++a) {
      Form_pg_attribute attr = TupleDescAttr(desc, a);
      if (!attr->attisdropped && name == NameStr(attr->attname)) s.attnum[i] = static_cast<AttrNumber>(a + 1);
    }
    if (s.attnum[i] == 0) {
      throw Error(sqlstate::undefined_column,
                  "gdpr audit writer: gdpr.audit_log has no column \"" + name + "\"",
                  "The log's definition does not match this version of gdpr.so.",
                  "Update the extension (ALTER EXTENSION gdpr UPDATE) or install the matching gdpr.so.");
    }
  }
  pg::guard([&] {
    s.home = CurrentMemoryContext;
    s.rows =
        AllocSetContextCreate(s.home, "gdpr audit rows", kRowsMemory, kRowsMemory, ALLOCSET_DEFAULT_MAXSIZE);
    s.estate = CreateExecutorState();
    s.result = makeNode(ResultRelInfo);
    InitResultRelInfo(s.result, s.partition, 0, nullptr, 0);
    CheckValidResultRel(s.result, CMD_INSERT);
    ExecOpenIndices(s.result, false);
    s.bulk = GetBulkInsertState();
    // A copy is not reference-counted: a thousand slots do not each
    // register it with the resource owner (whose forget is a linear search).
    s.desc = CreateTupleDescCopy(RelationGetDescr(s.partition));
    s.command = GetCurrentCommandId(true);
  });
}

// On an error the transaction aborts, which closes the relations and frees
// the executor state and memory; nothing to do here then.
LogInserter::~LogInserter() = default;

MemoryContext LogInserter::row_memory() const noexcept { return state_->rows; }

void LogInserter::add(const Datum* values, const bool* nulls) {
  State& s = *state_;
  const int k = s.buffered;
  pg::guard([&] {
    if (s.slots[k] == nullptr) {
      // Not in the caller's context, which is usually the rows' own.
      MemoryContext caller = MemoryContextSwitchTo(s.home);
      s.slots[k] = MakeSingleTupleTableSlot(s.desc, table_slot_callbacks(s.partition));
      MemoryContextSwitchTo(caller);
    }
    TupleTableSlot* slot = s.slots[k];
    ExecClearTuple(slot);
    for (int a = 0; a < s.natts; ++a) {
      slot->tts_values[a] = (Datum)0;
      slot->tts_isnull[a] = true;  // a column the log does not know (added by hand): NULL
    }
    for (int i = 0; i < kColumns; ++i) {
      slot->tts_values[s.attnum[i] - 1] = values[i];
      slot->tts_isnull[s.attnum[i] - 1] = nulls[i];
    }
    ExecStoreVirtualTuple(slot);
    // All rows of a batch share logged_at: one check of the partition's
    // bound covers them all.
    if (!s.partition_checked) {
      ExecPartitionCheck(s.result, slot, s.estate, true);
      s.partition_checked = true;
    }
    if (s.partition->rd_att->constr != nullptr) ExecConstraints(s.result, slot, s.estate);
  });
  if (++s.buffered == kBufferedRows) flush();
}

void LogInserter::flush() {
  State& s = *state_;
  if (s.buffered == 0) return;
  pg::guard([&] {
    // table_multi_insert() leaves memory in the current context: the rows'.
    MemoryContext caller = MemoryContextSwitchTo(s.rows);
    table_multi_insert(s.partition, s.slots, s.buffered, s.command, 0, s.bulk);
    // Index entries in id order: the primary key's go to its rightmost leaf,
    // which then splits as an ascending key's should (full pages behind).
    for (int k = 0; k < s.buffered; ++k) {
      if (s.result->ri_NumIndices > 0)
        list_free(ExecInsertIndexTuples(s.result, s.slots[k], s.estate, false, false, nullptr, NIL));
      ResetPerTupleExprContext(s.estate);
      ExecClearTuple(s.slots[k]);
    }
    MemoryContextSwitchTo(caller);
    MemoryContextReset(s.rows);
  });
  s.buffered = 0;
}

void LogInserter::finish() {
  State& s = *state_;
  if (!s.open) return;
  flush();
  pg::guard([&] {
    ExecCloseIndices(s.result);
    FreeBulkInsertState(s.bulk);
    table_finish_bulk_insert(s.partition, 0);
    for (TupleTableSlot* slot : s.slots)
      if (slot != nullptr) ExecDropSingleTupleTableSlot(slot);
    table_close(s.partition, NoLock);
    table_close(s.log, NoLock);
    FreeExecutorState(s.estate);
    MemoryContextDelete(s.rows);
  });
  s.open = false;
}

}  // namespace gdpr::audit
