#include "audit/chain.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace gdpr::audit {

std::string canonical_encoding(const std::vector<std::optional<std::string>>& fields) {
  std::string out;
  canonical_encoding(fields, out);
  return out;
}

void canonical_encoding(const std::vector<std::optional<std::string>>& fields, std::string& out) {
  out.clear();
  for (const auto& f : fields) {
    if (!f) {
      out += "N;";
    } else {
      out += std::to_string(f->size());
      out += ':';
      out += *f;
      out += ';';
    }
  }
}

Digest sha256(const Digest& in) {
  Digest out{};
  SHA256(in.data(), in.size(), out.data());
  return out;
}

std::string to_hex(const Digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : d) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0xf]);
  }
  return hex;
}

struct Chain::Contexts {
  EVP_MAC* hmac = nullptr;
  EVP_MAC_CTX* mac = nullptr;
  EVP_MD* sha256 = nullptr;
  EVP_MD_CTX* md = nullptr;
  ~Contexts() {
    EVP_MD_CTX_free(md);
    EVP_MD_free(sha256);
    EVP_MAC_CTX_free(mac);
    EVP_MAC_free(hmac);
  }
};

namespace {
[[noreturn]] void openssl_failed(const char* what) {
  throw std::runtime_error(std::string(what) + " failed in OpenSSL");
}
}  // namespace

Chain::Chain(const Digest& first_key) : ctx_(std::make_unique<Contexts>()), key_(first_key) {
  ctx_->hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  ctx_->sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (ctx_->hmac == nullptr || ctx_->sha256 == nullptr) openssl_failed("fetching HMAC and SHA-256");
  ctx_->mac = EVP_MAC_CTX_new(ctx_->hmac);
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->mac == nullptr || ctx_->md == nullptr) openssl_failed("allocating HMAC contexts");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx_->mac, params) != 1) openssl_failed("HMAC-SHA-256 set-up");
}

Chain::~Chain() { OPENSSL_cleanse(key_.data(), key_.size()); }

void Chain::ratchet() {
  Digest next{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx_->md, ctx_->sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_->md, key_.data(), key_.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_->md, next.data(), &len) != 1 || len != next.size())
    openssl_failed("SHA-256");
  OPENSSL_cleanse(key_.data(), key_.size());
  key_ = next;
  OPENSSL_cleanse(next.data(), next.size());
  ++next_id_;
}

void Chain::seek(int64_t next_id, const Digest& prev_mac) {
  while (next_id_ < next_id) ratchet();
  prev_mac_ = prev_mac;
}

void Chain::resume(int64_t next_id, const Digest& key, const Digest& prev_mac) {
  OPENSSL_cleanse(key_.data(), key_.size());
  key_ = key;
  next_id_ = next_id;
  prev_mac_ = prev_mac;
}

Digest Chain::sign(std::string_view canonical) {
  Digest mac{};
  size_t len = 0;
  // The key changes with every event, so the context is keyed anew each time.
  if (EVP_MAC_init(ctx_->mac, key_.data(), key_.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx_->mac, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size()) !=
          1 ||
      EVP_MAC_update(ctx_->mac, prev_mac_.data(), prev_mac_.size()) != 1 ||
      EVP_MAC_final(ctx_->mac, mac.data(), &len, mac.size()) != 1 || len != mac.size())
    openssl_failed("HMAC-SHA-256");
  prev_mac_ = mac;
  ratchet();
  return mac;
}

}  // namespace gdpr::audit
