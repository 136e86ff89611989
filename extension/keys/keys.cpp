extern "C" {
#include "postgres.h"
}

#include "keys/keys.hpp"

#include <openssl/hmac.h>
#include <openssl/crypto.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "pg/error.hpp"
#include "settings.hpp"

namespace gdpr::keys {
namespace {

// The file holds at least 32 bytes of secret; hex text (as `make run`
// generates with `openssl rand -hex 32`) or raw bytes are both fine: we use
// its bytes as they are, minus trailing white space.
std::vector<uint8_t> read_master_key() {
  const char* path = settings::key_file;
  if (path == nullptr || path[0] == '\0') {
    throw Error(sqlstate::object_not_in_prerequisite_state, "gdpr.key_file is not set",
                "Erasure proofs, pseudonyms and the audit chain need a secret key kept outside the database.",
                "Create one with: openssl rand -hex 32 > $PGDATA/gdpr.key; chmod 600 it, set gdpr.key_file "
                "in postgresql.conf and reload.");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                std::string("could not read gdpr.key_file \"") + path + "\"", {},
                "The file must exist and be readable by the PostgreSQL server's OS user.");
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r' || bytes.back() == ' '))
    bytes.pop_back();
  if (bytes.size() < 32) {
    throw Error(sqlstate::object_not_in_prerequisite_state,
                std::string("gdpr.key_file \"") + path + "\" holds fewer than 32 bytes", {},
                "Generate a key with: openssl rand -hex 32");
  }
  return bytes;
}

struct CachedMaster {
  std::string path;
  std::vector<uint8_t> bytes;
};

const std::vector<uint8_t>& master_key() {
  static std::optional<CachedMaster> cached;
  const std::string path = settings::key_file != nullptr ? settings::key_file : "";
  if (!cached || cached->path != path) {
    auto bytes = read_master_key();
    if (cached) OPENSSL_cleanse(cached->bytes.data(), cached->bytes.size());
    cached = CachedMaster{path, std::move(bytes)};
  }
  return cached->bytes;
}

Key hmac(const uint8_t* key, size_t key_len, std::string_view data) {
  Key out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(key_len), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &len) == nullptr ||
      len != out.size()) {
    throw Error(sqlstate::internal_error, "HMAC-SHA-256 failed in OpenSSL");
  }
  return out;
}

}  // namespace

Key derive(std::string_view purpose) {
  const auto& master = master_key();
  return hmac(master.data(), master.size(), std::string("pg_gdpr:") + std::string(purpose));
}

std::string hmac_hex(const Key& key, std::string_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  Key mac = hmac(key.data(), key.size(), data);
  std::string hex;
  hex.reserve(mac.size() * 2);
  for (uint8_t b : mac) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0xf]);
  }
  return hex;
}

}  // namespace gdpr::keys
