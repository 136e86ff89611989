// gdpr.mask_redact(value, relation, row_table, row_id, attnum): the `redact`
// rule as the masked views apply it, with the known names of data subjects.
//
// Why it reads the row itself: the masked roles can call every masking
// function directly. A function that redacted known names in whatever text it
// is given would answer "is this a customer's name?" for any string, and one
// that checked the given text against the stored row would answer "is this
// what row X holds?" (guess a redacted name, see whether it stays redacted).
// So this function never redacts text it is given: it fetches the value of
// column `attnum` from the row `row_id` of `row_table` itself, under the
// statement's snapshot, and returns that value redacted: exactly what the
// caller's masked view shows for that row, and nothing for a row that is not
// visible. `value` (the same column, as the view reads it) is not used for
// the result; it is there so that the view still reads the column: column
// privileges and the row-access audit see the read as before, and a NULL
// value short-cuts (STRICT).
//
// Who may call it for which column: a role that may read the column of the
// base table anyway, or a role with the privileges of a policy whose rule for
// the column is `redact` (or `keep`); see redact_entitlement.hpp. Others get
// 42501 whatever the row holds.
extern "C" {
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/itemptr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

#include <string>
#include <string_view>

#include "identifiers/identifiers.hpp"
#include "masking/known_names.hpp"
#include "masking/redact_entitlement.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"
#include "settings.hpp"

namespace {

using gdpr::pg::guard;

// What one call site (one use of the function in one running statement)
// remembers between rows; lives in fn_mcxt, so it must stay trivially
// destructible.
struct CallSite {
  // The column the caller was found entitled to.
  Oid relation;
  int16 attnum;
  Oid user;
  // The physical table of the last row (the relation, or a partition or
  // inheritance child of it) and the column's number there.
  Oid row_table;
  int16 row_attnum;
  bool text_like;  // text or varchar (or a domain over them): no output function
  bool bpchar;     // char(n): trailing blanks dropped, as the ::text cast does
  Oid output_function;
  BlockNumber blocks;  // size of row_table last seen; TIDs beyond it name no row
  gdpr::identifiers::NameDirectory* names;
};
static_assert(std::is_trivially_destructible_v<CallSite>);

std::string_view phone_region() {
  const char* region = gdpr::settings::default_phone_region;
  return region != nullptr ? region : "";
}

[[noreturn]] void refuse(Oid relation, int16 attnum) {
  const char* table = guard([&] { return get_rel_name(relation); });
  const char* column = guard([&] { return get_attname(relation, attnum, true); });
  throw gdpr::Error(gdpr::sqlstate::insufficient_privilege,
                    std::string("permission denied to redact column ") + (table ? table : "?") + "." +
                        (column ? column : "?"),
                    "gdpr.mask_redact(value, relation, row_table, row_id, attnum) shows a column only to "
                    "roles that may read it, or whose masking policy shows it redacted or in full.",
                    "Read the column through your policy's masked view (schema gdpr_mask_<policy>).");
}

// Is the current user entitled to the redacted column? Asked once per call
// site and column in a statement (the answer only depends on catalogs).
void check_entitlement(CallSite& site, Oid relation, int16 attnum) {
  const Oid user = GetUserId();  // reads a variable; cannot fail
  if (site.relation == relation && site.attnum == attnum && site.user == user && OidIsValid(relation)) return;
  if (!gdpr::masking::may_redact(user, relation, attnum)) refuse(relation, attnum);
  // Row-level security filters what the views show; a row fetched by its TID
  // would bypass it.
  const bool row_security =
      guard([&] { return check_enable_rls(relation, InvalidOid, true) == RLS_ENABLED; });
  if (row_security) {
    throw gdpr::Error(gdpr::sqlstate::feature_not_supported,
                      "redact with known names does not support tables with row-level security", {},
                      "The masked views show NULL for redacted columns of such tables.");
  }
  site.relation = relation;
  site.attnum = attnum;
  site.user = user;
  site.row_table = InvalidOid;
}

// The physical table of a row: the relation itself, or one of its partitions
// or inheritance children (whose column numbers may differ).
void resolve_row_table(CallSite& site, Oid row_table) {
  if (site.row_table == row_table && OidIsValid(row_table)) return;
  int16 row_attnum = site.attnum;
  if (row_table != site.relation) {
    const bool inherits = guard([&] {
      List* family = find_all_inheritors(site.relation, AccessShareLock, nullptr);
      return list_member_oid(family, row_table);
    });
    if (!inherits) {
      throw gdpr::Error(gdpr::sqlstate::invalid_parameter_value,
                        "row_table is neither the relation nor one of its partitions or children", {},
                        "Pass tableoid and ctid of a row of the relation.");
    }
    row_attnum = guard([&]() -> int16 {
      const char* name = get_attname(site.relation, site.attnum, false);
      return get_attnum(row_table, name);
    });
    if (row_attnum == InvalidAttrNumber) refuse(site.relation, site.attnum);
  }
  Oid type = guard([&] { return getBaseType(get_atttype(row_table, row_attnum)); });
  site.text_like = type == TEXTOID || type == VARCHAROID;
  site.bpchar = type == BPCHAROID;
  bool varlena = false;
  guard([&] { getTypeOutputInfo(type, &site.output_function, &varlena); });
  site.row_table = row_table;
  site.row_attnum = row_attnum;
  site.blocks = 0;
}

// The stored value as text (palloc'd), or nullptr when the row is not visible
// to the statement's snapshot or the value is NULL.
text* fetch_stored(CallSite& site, ItemPointer tid) {
  return guard([&]() -> text* {
    Relation rel = table_open(site.row_table, AccessShareLock);
    if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("redact with known names supports heap tables only"),
                      errdetail("\"%s\" uses another table access method.", RelationGetRelationName(rel))));
    text* result = nullptr;
    const BlockNumber block = ItemPointerGetBlockNumberNoCheck(tid);
    if (ItemPointerIsValid(tid) && block >= site.blocks) site.blocks = RelationGetNumberOfBlocks(rel);
    if (ItemPointerIsValid(tid) && block < site.blocks) {
      HeapTupleData tuple;
      tuple.t_self = *tid;
      Buffer buffer = InvalidBuffer;
      if (heap_fetch(rel, GetActiveSnapshot(), &tuple, &buffer, false)) {
        bool isnull = false;
        Datum value = heap_getattr(&tuple, site.row_attnum, RelationGetDescr(rel), &isnull);
        if (!isnull) {
          if (site.text_like) {
            // A copy: the tuple lives in the buffer we release below.
            result = reinterpret_cast<text*>(PG_DETOAST_DATUM_COPY(value));
          } else {
            char* out = OidOutputFunctionCall(site.output_function, value);
            int length = static_cast<int>(strlen(out));
            while (site.bpchar && length > 0 && out[length - 1] == ' ') --length;
            result = cstring_to_text_with_len(out, length);
          }
        }
        ReleaseBuffer(buffer);
      }
    }
    table_close(rel, NoLock);  // the lock stays until the end of the transaction, as the scan's does
    return result;
  });
}

Datum mask_redact_row(FunctionCallInfo fcinfo) {
  // By-value arguments and a pointer into the argument: cannot fail.
  const Oid relation = PG_GETARG_OID(1);
  const Oid row_table = PG_GETARG_OID(2);
  // tid is pass-by-reference; PostgreSQL 15 has no PG_GETARG_ITEMPOINTER outside tid.c.
  auto tid = reinterpret_cast<ItemPointer>(PG_GETARG_POINTER(3));
  const int16 attnum = PG_GETARG_INT16(4);

  auto* site = static_cast<CallSite*>(fcinfo->flinfo->fn_extra);
  if (site == nullptr) {
    site = static_cast<CallSite*>(
        guard([&] { return MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallSite)); }));
    // The first row of this call site in this statement: the set of known
    // names as of now (see known_names.hpp for when changes show).
    site->names = gdpr::masking::known_names_for_statement();
    fcinfo->flinfo->fn_extra = site;
  }
  check_entitlement(*site, relation, attnum);
  resolve_row_table(*site, row_table);
  text* stored = fetch_stored(*site, tid);
  if (stored == nullptr) PG_RETURN_NULL();
  const std::string_view value(VARDATA_ANY(stored), VARSIZE_ANY_EXHDR(stored));
  // Cautious phone recall, as gdpr.mask_redact(text): over-redaction is the safe failure.
  const std::string redacted =
      site->names != nullptr
          ? gdpr::identifiers::redact(value, phone_region(), {}, gdpr::identifiers::PhoneRecall::cautious,
                                      *site->names)
          : gdpr::identifiers::redact(value, phone_region(), {}, gdpr::identifiers::PhoneRecall::cautious);
  return guard([&] { return PointerGetDatum(cstring_to_text_with_len(redacted.data(), redacted.size())); });
}

}  // namespace

GDPR_SQL_FUNCTION(gdpr_mask_redact_row, mask_redact_row)
