// The `gdpr` security-label provider: SECURITY LABEL FOR gdpr ... IS '...'
// calls check_relabel() before PostgreSQL stores the label. A label that is
// not valid is refused here, so every stored label parses (the cache and the
// inventory rely on that). PostgreSQL stores the text as given; gdpr_tag()
// stores the canonical form, and readers always parse.
extern "C" {
#include "postgres.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "commands/seclabel.h"
#include "utils/inval.h"
}

#include "catalog/label_provider.hpp"
#include "catalog/validate.hpp"
#include "pg/guard.hpp"
#include "pg/invoke.hpp"

namespace gdpr::catalog {

namespace {

void check_column(Oid relid, int32 attnum, const char* label) {
  if (attnum <= 0) {
    throw Error(sqlstate::wrong_object_type, "cannot tag a system column of " + relation_display_name(relid),
                "", "Tag the user columns of the table.");
  }
  if (label != nullptr) parse_column_label(label);
}

void check_relabel_cpp(const ObjectAddress* object, const char* label) {
  if (object->classId != RelationRelationId) {
    throw Error(sqlstate::wrong_object_type, "gdpr labels apply to tables and columns only", "",
                "SECURITY LABEL FOR gdpr ON COLUMN table.column IS 'email; subject', or ON TABLE table IS "
                "'erase=delete'.");
  }
  const Oid relid = object->objectId;
  check_taggable_relation(relid);
  if (object->objectSubId != 0) {
    check_column(relid, object->objectSubId, label);
  } else if (label != nullptr) {
    check_table_label(relid, parse_table_label(label));
  }
  // pg_seclabel changes send no invalidation of their own: tell every
  // backend's tag cache (at commit; our own at the next command).
  pg::guard([&] { CacheInvalidateRelcacheByRelid(relid); });
}

void check_relabel(const ObjectAddress* object, const char* seclabel) {
  invoke_cpp([&] { check_relabel_cpp(object, seclabel); });
}

}  // namespace

void register_label_provider() {
  // From _PG_init: only fails on out-of-memory, reported before registering.
  ::register_label_provider("gdpr", check_relabel);
}

}  // namespace gdpr::catalog
