// The backend's cache of known names (see known_names.hpp).
//
// Loading calls gdpr._subject_known_name_hashes(), a SECURITY DEFINER SQL
// function, directly through fmgr: the masked roles that run the views may
// not read gdpr.subject_index, and a direct fmgr call needs no EXECUTE right
// (the function is revoked from PUBLIC, so nobody can call it from SQL).
extern "C" {
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
}

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "masking/internal_function.hpp"
#include "masking/known_names.hpp"
#include "pg/guard.hpp"
#include "settings.hpp"
#include "subject/identifier_hash.hpp"

namespace gdpr::masking {
namespace {

using pg::guard;

// The first 64 bits of a hash (hex): the set compares these. A false match
// (two different 256-bit hashes sharing 64 bits) would only redact a word
// too many; it has a probability around 1e-19 per look-up.
uint64_t prefix64(std::string_view hex) noexcept {
  uint64_t value = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    const char c = hex[i];
    const uint64_t digit = c >= 'a' ? static_cast<uint64_t>(c - 'a' + 10) : static_cast<uint64_t>(c - '0');
    value = (value << 4) | digit;
  }
  return value;
}

// Folded word or key -> the first 64 bits of its keyed hash. The hash depends
// only on the key file, not on which names exist, so the memo survives
// reloads of the set. Bounded: cleared when full (text vocabularies are
// Zipfian; the frequent words come back at once).
constexpr std::size_t kMemoLimit = 100000;

// Looked up by string_view: no allocation per word of text.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using Memo = std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>>;

class Directory final : public identifiers::NameDirectory {
 public:
  bool starts_name(std::string_view first_word) override {
    return known_.contains(hash_of(first_words_, first_word, false));
  }
  bool is_name(std::string_view key) override { return known_.contains(hash_of(keys_, key, true)); }

  void clear_memo() {
    first_words_.clear();
    keys_.clear();
  }
  std::unordered_set<uint64_t>& known() { return known_; }

 private:
  static uint64_t hash_of(Memo& memo, std::string_view text, bool full_key) {
    if (auto it = memo.find(text); it != memo.end()) return it->second;
    const std::string hex = full_key ? subject::identifier_hash({identifiers::Kind::name, std::string(text)})
                                     : subject::name_start_hash(text);
    if (memo.size() >= kMemoLimit) memo.clear();
    const uint64_t value = prefix64(hex);
    memo.emplace(std::string(text), value);
    return value;
  }

  std::unordered_set<uint64_t> known_;
  Memo first_words_;  // folded word -> its name_start_hash
  Memo keys_;         // folded key -> its identifier_hash as Kind::name
};

Directory directory;
bool stale = true;
bool callback_registered = false;
Oid names_index = InvalidOid;  // the index whose invalidation means "names changed"
std::string memo_key_file;     // gdpr.key_file the memo was computed under

// Runs while PostgreSQL processes invalidations (possibly in the middle of a
// reload: then the next statement reloads again). Never throws.
void on_relcache_invalidation(Datum /*arg*/, Oid relid) {
  if (relid == InvalidOid || relid == names_index) stale = true;
}

void reload() {
  // Fresh from here on: an invalidation that arrives while we read marks the
  // cache stale again.
  stale = false;
  directory.known().clear();
  names_index = guard([] {
    const Oid schema = get_namespace_oid("gdpr", true);
    return OidIsValid(schema) ? get_relname_relid(subject::names_index_name, schema) : InvalidOid;
  });
  const Oid loader = internal_function("_subject_known_name_hashes", 0, nullptr);
  if (!OidIsValid(loader)) return;  // an extension script without names
  ArrayType* hashes = guard([&] { return DatumGetArrayTypeP(OidFunctionCall0(loader)); });
  Datum* elements = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  guard([&] { deconstruct_array(hashes, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count); });
  directory.known().reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    if (nulls[i]) continue;
    // Short hex strings: never toasted, never compressed.
    const text* hash = reinterpret_cast<const text*>(DatumGetPointer(elements[i]));
    directory.known().insert(prefix64({VARDATA_ANY(hash), VARSIZE_ANY_EXHDR(hash)}));
  }
}

}  // namespace

identifiers::NameDirectory* known_names_for_statement() {
  if (!callback_registered) {
    // Registered on first use rather than in _PG_init: backends that never
    // redact keep PostgreSQL's small table of callbacks free.
    guard([] { CacheRegisterRelcacheCallback(on_relcache_invalidation, static_cast<Datum>(0)); });
    callback_registered = true;
  }
  // Invalidations committed by other sessions since our last look; PostgreSQL
  // does the same whenever it takes a lock, so this is safe mid-query.
  guard([] { AcceptInvalidationMessages(); });
  if (stale) reload();
  const std::string key_file = settings::key_file != nullptr ? settings::key_file : "";
  if (key_file != memo_key_file) {
    directory.clear_memo();
    memo_key_file = key_file;
  }
  return directory.known().empty() ? nullptr : &directory;
}

}  // namespace gdpr::masking
