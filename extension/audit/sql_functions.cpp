// SQL-callable functions of the audit room:
//   gdpr_audit_verify()  re-computes the HMAC chain over gdpr.audit_log and
//                        compares it with the stored macs, the checkpoints and
//                        the head the writer committed since start-up.
//   gdpr.audit_flush()   waits until every event queued so far is committed
//                        (tests, and scripts that read the log right away).
extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include <cstring>
#include <utility>
#include <vector>

#include "audit/chain.hpp"
#include "audit/log_row.hpp"
#include "audit/queue.hpp"
#include "keys/keys.hpp"
#include "pg/error.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace {

using gdpr::audit::Digest;

void require_queue() {
  if (!gdpr::audit::queue::available()) {
    throw gdpr::Error(gdpr::sqlstate::object_not_in_prerequisite_state, "gdpr audit is not running",
                      "The audit queue and writer exist only when gdpr is preloaded.",
                      "Add gdpr to shared_preload_libraries in postgresql.conf and restart the server.");
  }
}

Digest digest_of(Datum value) {
  Digest d{};
  bytea* b = gdpr::pg::guard([&] { return DatumGetByteaPP(value); });
  if (VARSIZE_ANY_EXHDR(b) == d.size()) std::memcpy(d.data(), VARDATA_ANY(b), d.size());
  return d;
}

struct Verdict {
  bool intact = true;
  int64_t checked = 0;
  int64_t first_bad = 0;  // 0: none
};

Verdict verify_chain() {
  Verdict v;
  gdpr::audit::Chain chain(gdpr::keys::derive("audit"));

  // The writer's committed head, read before our snapshots so that every
  // event up to it is visible to them (READ COMMITTED takes a new one per query).
  int64_t head_id = 0;
  Digest head_mac{};
  Oid head_table = InvalidOid;
  gdpr::audit::queue::committed_head(head_id, head_mac, head_table);
  const Oid table = gdpr::pg::guard([] {
    Oid ns = get_namespace_oid("gdpr", true);
    return OidIsValid(ns) ? get_relname_relid("audit_log", ns) : InvalidOid;
  });
  if (XactIsoLevel != XACT_READ_COMMITTED || head_table != table) head_id = 0;

  gdpr::pg::guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
  });
  std::vector<std::pair<int64_t, Digest>> checkpoints;
  gdpr::pg::guard([] {
    if (SPI_execute("SELECT event_id, mac, kind = 'retention' FROM gdpr.audit_checkpoints ORDER BY event_id",
                    true, 0) != SPI_OK_SELECT)
      elog(ERROR, "could not read gdpr.audit_checkpoints");
  });
  // Retention dropped the events up to the latest 'retention' checkpoint:
  // the chain is verified from the event after it, with the key ratcheted
  // forward to there and that checkpoint's mac as the previous mac.
  size_t retained_from = 0;  // index of the first checkpoint after the retention point
  int64_t expected = 1;
  for (uint64 i = 0; i < SPI_processed; ++i) {
    bool null_id = true, null_mac = true, null_kind = true;
    Datum id = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &null_id);
    Datum mac = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &null_mac);
    Datum retention = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &null_kind);
    if (null_id || null_mac) continue;
    checkpoints.emplace_back(DatumGetInt64(id), digest_of(mac));
    if (!null_kind && DatumGetBool(retention)) {
      retained_from = checkpoints.size();
      expected = DatumGetInt64(id) + 1;
    }
  }
  if (retained_from > 0) chain.seek(expected, checkpoints[retained_from - 1].second);
  size_t next_checkpoint = retained_from;

  const std::string sql =
      std::string("SELECT ") + gdpr::audit::log_row::column_list() + ", mac FROM gdpr.audit_log ORDER BY id";
  Portal cursor = gdpr::pg::guard([&] {
    SPIPlanPtr plan = SPI_prepare(sql.c_str(), 0, nullptr);
    if (plan == nullptr) elog(ERROR, "could not prepare the audit log scan");
    return SPI_cursor_open(nullptr, plan, nullptr, nullptr, true);
  });
  constexpr int kSigned = gdpr::audit::log_row::kSignedColumns;
  bool done = false;
  while (!done) {
    gdpr::pg::guard([&] { SPI_cursor_fetch(cursor, true, 1000); });
    if (SPI_processed == 0) break;
    for (uint64 r = 0; r < SPI_processed && !done; ++r) {
      HeapTuple tuple = SPI_tuptable->vals[r];
      Datum values[kSigned + 1];
      bool nulls[kSigned + 1];
      for (int c = 0; c <= kSigned; ++c)
        values[c] = SPI_getbinval(tuple, SPI_tuptable->tupdesc, c + 1, &nulls[c]);
      const int64_t id = DatumGetInt64(values[0]);
      if (id != expected) {  // a deleted event (or ids rewritten)
        v = {false, v.checked, expected};
        done = true;
        break;
      }
      const Digest mac = chain.sign(gdpr::audit::log_row::canonical(values, nulls));
      const bool stored_ok = !nulls[kSigned] && digest_of(values[kSigned]) == mac;
      bool checkpoint_ok = true;
      while (next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint].first <= id) {
        if (checkpoints[next_checkpoint].first == id && checkpoints[next_checkpoint].second != mac)
          checkpoint_ok = false;
        ++next_checkpoint;
      }
      if (!stored_ok || !checkpoint_ok) {
        v = {false, v.checked, id};
        done = true;
        break;
      }
      ++v.checked;
      ++expected;
    }
    gdpr::pg::guard([] { SPI_freetuptable(SPI_tuptable); });
  }
  gdpr::pg::guard([&] {
    SPI_cursor_close(cursor);
    SPI_finish();
  });
  if (v.intact) {
    // A cut-off tail: the checkpoints or the writer know of later events.
    const bool checkpoint_beyond = next_checkpoint < checkpoints.size();
    if (checkpoint_beyond || head_id >= expected) v = {false, v.checked, expected};
  }
  return v;
}

Datum audit_verify(FunctionCallInfo fcinfo) {
  const Verdict v = verify_chain();
  TupleDesc desc = nullptr;
  gdpr::pg::guard([&] {
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "gdpr_audit_verify must return a record");
    desc = BlessTupleDesc(desc);
  });
  Datum values[3] = {BoolGetDatum(v.intact), Int64GetDatum(v.checked), Int64GetDatum(v.first_bad)};
  bool nulls[3] = {false, false, v.first_bad == 0};
  return gdpr::pg::guard([&] { return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)); });
}

Datum audit_flush(FunctionCallInfo /*fcinfo*/) {
  require_queue();
  gdpr::audit::queue::ensure_writer();
  gdpr::audit::queue::wait_durable(gdpr::audit::queue::last_enqueued(), 30000);
  return (Datum)0;
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_audit_verify, audit_verify)
GDPR_SQL_FUNCTION(gdpr_audit_flush, audit_flush)
