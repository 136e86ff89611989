#include "audit/chain.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace gdpr::audit {

std::string canonical_encoding(const std::vector<std::optional<std::string>>& fields) {
  std::string out;
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
  return out;
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

Chain::Chain(const Digest& first_key) : key_(first_key) {}

void Chain::seek(int64_t next_id, const Digest& prev_mac) {
  while (next_id_ < next_id) {
    Digest next = sha256(key_);
    OPENSSL_cleanse(key_.data(), key_.size());
    key_ = next;
    ++next_id_;
  }
  prev_mac_ = prev_mac;
}

Digest Chain::sign(const std::string& canonical) {
  std::string message = canonical;
  message.append(reinterpret_cast<const char*>(prev_mac_.data()), prev_mac_.size());
  Digest mac{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
           &len) == nullptr ||
      len != mac.size()) {
    throw std::runtime_error("HMAC-SHA-256 failed in OpenSSL");
  }
  prev_mac_ = mac;
  Digest next = sha256(key_);
  OPENSSL_cleanse(key_.data(), key_.size());
  key_ = next;
  ++next_id_;
  return mac;
}

}  // namespace gdpr::audit
