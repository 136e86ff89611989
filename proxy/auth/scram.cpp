#include "auth/scram.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <stdexcept>

namespace gdpr::proxy::scram {
namespace {

// Splits "a=value,b=value" one attribute at a time, as RFC 5802 lays them out.
class AttributeReader {
 public:
  explicit AttributeReader(std::string_view text) : rest_(text) {}

  // Reads `name=value` and the comma after it (if any); nullopt when the next
  // attribute is not `name` or has no '='.
  std::optional<std::string_view> expect(char name) {
    if (rest_.size() < 2 || rest_[0] != name || rest_[1] != '=') return std::nullopt;
    return take_value();
  }
  // Any attribute: a letter, '=', a value.
  std::optional<std::pair<char, std::string_view>> any() {
    if (rest_.size() < 2 || !is_alpha(rest_[0]) || rest_[1] != '=') return std::nullopt;
    const char name = rest_[0];
    return std::pair{name, take_value()};
  }
  bool at_end() const { return rest_.empty() && !dangling_comma_; }
  char peek() const { return rest_.empty() ? '\0' : rest_[0]; }
  std::size_t remaining() const { return rest_.size(); }

 private:
  static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

  std::string_view take_value() {
    rest_.remove_prefix(2);
    const auto comma = rest_.find(',');
    std::string_view value = rest_.substr(0, comma);
    if (comma == std::string_view::npos) {
      rest_ = {};
      dangling_comma_ = false;
    } else {
      rest_.remove_prefix(comma + 1);
      // "r=abc," with nothing after the comma is malformed.
      dangling_comma_ = rest_.empty();
    }
    return value;
  }

  std::string_view rest_;
  bool dangling_comma_ = false;
};

// RFC 5802: printable ASCII except ','.
bool valid_nonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

ServerExchange::Step malformed(std::string reason) {
  return {ServerExchange::Status::malformed, std::move(reason)};
}

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

std::string base64_encode(const Bytes& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 1 << 20) return std::nullopt;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  // '=' only as one or two trailing pad characters.
  const auto first_pad = text.find('=');
  std::size_t padding = 0;
  if (first_pad != std::string_view::npos) {
    padding = text.size() - first_pad;
    if (padding > 2 || text.find_first_not_of('=', first_pad) != std::string_view::npos) return std::nullopt;
  }
  Bytes out(3 * text.size() / 4);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) return std::nullopt;
  // EVP_DecodeBlock keeps the zero bytes the padding stands for.
  out.resize(static_cast<std::size_t>(n) - padding);
  // Canonical form only: re-encoding must give the input back.
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

Bytes hmac_sha256(const Bytes& key, std::string_view message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &length)) {
    throw std::runtime_error("HMAC-SHA-256 failed (OpenSSL)");
  }
  out.resize(length);
  return out;
}

Bytes sha256(const Bytes& data) {
  Bytes out(SHA256_DIGEST_LENGTH);
  unsigned int length = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  out.resize(length);
  return out;
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed (OpenSSL)");
  return out;
}

std::optional<Verifier> Verifier::parse(std::string_view text) {
  constexpr std::string_view prefix = "SCRAM-SHA-256$";
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  const auto colon1 = text.find(':');
  const auto dollar = text.find('$');
  if (colon1 == std::string_view::npos || dollar == std::string_view::npos || colon1 > dollar)
    return std::nullopt;
  const auto colon2 = text.find(':', dollar);
  if (colon2 == std::string_view::npos) return std::nullopt;

  Verifier v;
  const auto iterations = text.substr(0, colon1);
  const auto [end, ec] =
      std::from_chars(iterations.data(), iterations.data() + iterations.size(), v.iterations);
  if (ec != std::errc() || end != iterations.data() + iterations.size() || v.iterations < 1)
    return std::nullopt;
  auto salt = base64_decode(text.substr(colon1 + 1, dollar - colon1 - 1));
  auto stored = base64_decode(text.substr(dollar + 1, colon2 - dollar - 1));
  auto server = base64_decode(text.substr(colon2 + 1));
  if (!salt || !stored || !server || stored->size() != kKeyLength || server->size() != kKeyLength)
    return std::nullopt;
  v.salt = std::move(*salt);
  v.stored_key = std::move(*stored);
  v.server_key = std::move(*server);
  return v;
}

Verifier Verifier::mock(std::string_view user, const Bytes& process_secret) {
  // Like PostgreSQL's scram_mock_salt(): the salt is stable per name, so
  // repeated probes of one name see the same salt as a real user would.
  Verifier v;
  v.iterations = 4096;
  auto salt = hmac_sha256(process_secret, fmt::format("salt:{}", user));
  salt.resize(16);
  v.salt = std::move(salt);
  // Keys nobody can produce a proof for.
  v.stored_key = random_bytes(kKeyLength);
  v.server_key = random_bytes(kKeyLength);
  return v;
}

ServerExchange::ServerExchange(Verifier verifier, std::string server_nonce)
    : verifier_(std::move(verifier)),
      server_nonce_(server_nonce.empty() ? base64_encode(random_bytes(kRawNonceLength))
                                         : std::move(server_nonce)) {}

ServerExchange::Step ServerExchange::client_first(std::string_view message) {
  if (state_ != State::expect_first) return malformed("unexpected client-first-message");
  state_ = State::done;  // a failed step ends the exchange

  // gs2-header: cbind-flag "," [authzid] ","
  if (message.size() < 3) return malformed("client-first-message too short");
  const char flag = message[0];
  if (flag == 'p') return malformed("client requires channel binding, which this server did not offer");
  if (flag != 'n' && flag != 'y') return malformed("invalid channel-binding flag in client-first-message");
  if (message[1] != ',') return malformed("comma expected after the channel-binding flag");
  if (message[2] == 'a') return malformed("authorization identity (a=) is not supported");
  if (message[2] != ',') return malformed("comma expected after the gs2 header");
  gs2_header_ = std::string(message.substr(0, 3));
  const auto bare = message.substr(3);

  AttributeReader attrs(bare);
  if (attrs.peek() == 'm') return malformed("mandatory extension (m=) is not supported");
  // PostgreSQL ignores the SCRAM user name: the StartupMessage's user counts.
  const auto user = attrs.expect('n');
  if (!user) return malformed("user name attribute (n=) expected");
  const auto nonce = attrs.expect('r');
  if (!nonce) return malformed("nonce attribute (r=) expected");
  if (!valid_nonce(*nonce))
    return malformed("client nonce is empty or has characters outside printable ASCII");
  while (attrs.remaining() > 0) {
    if (!attrs.any()) return malformed("garbage after the nonce in client-first-message");
  }
  if (!attrs.at_end()) return malformed("trailing comma in client-first-message");

  client_first_bare_ = std::string(bare);
  combined_nonce_ = std::string(*nonce) + server_nonce_;
  server_first_ =
      fmt::format("r={},s={},i={}", combined_nonce_, base64_encode(verifier_.salt), verifier_.iterations);
  state_ = State::expect_final;
  return {Status::ok, server_first_};
}

ServerExchange::Step ServerExchange::client_final(std::string_view message) {
  if (state_ != State::expect_final) return malformed("unexpected client-final-message");
  state_ = State::done;

  AttributeReader attrs(message);
  const auto binding = attrs.expect('c');
  if (!binding) return malformed("channel binding attribute (c=) expected");
  const auto decoded_binding = base64_decode(*binding);
  if (!decoded_binding || *decoded_binding != to_bytes(gs2_header_))
    return malformed("channel binding data does not match the gs2 header of client-first-message");
  const auto nonce = attrs.expect('r');
  if (!nonce) return malformed("nonce attribute (r=) expected");
  if (*nonce != combined_nonce_) return malformed("nonce does not match the nonce of this exchange");

  std::optional<std::string_view> proof_b64;
  while (attrs.remaining() > 0) {
    const auto attr = attrs.any();
    if (!attr) return malformed("malformed attribute in client-final-message");
    if (attr->first == 'p') {
      proof_b64 = attr->second;
      break;
    }
  }
  if (!proof_b64) return malformed("proof attribute (p=) expected");
  if (attrs.remaining() > 0 || !attrs.at_end())
    return malformed("garbage after the proof in client-final-message");
  const auto proof = base64_decode(*proof_b64);
  if (!proof || proof->size() != kKeyLength) return malformed("proof is not base64 of 32 bytes");

  // Everything up to ",p=": the client-final-message-without-proof.
  const auto without_proof = message.substr(0, message.size() - proof_b64->size() - 3);
  const auto auth_message = fmt::format("{},{},{}", client_first_bare_, server_first_, without_proof);

  const auto client_signature = hmac_sha256(verifier_.stored_key, auth_message);
  Bytes client_key(kKeyLength);
  for (std::size_t i = 0; i < kKeyLength; ++i) client_key[i] = (*proof)[i] ^ client_signature[i];
  const auto stored_key = sha256(client_key);
  if (CRYPTO_memcmp(stored_key.data(), verifier_.stored_key.data(), kKeyLength) != 0)
    return {Status::wrong_proof, "client proof does not match the stored verifier"};

  const auto server_signature = hmac_sha256(verifier_.server_key, auth_message);
  return {Status::ok, "v=" + base64_encode(server_signature)};
}

ClientExchange::ClientExchange(std::string password, std::string client_nonce)
    : password_(std::move(password)),
      client_nonce_(client_nonce.empty() ? base64_encode(random_bytes(kRawNonceLength))
                                         : std::move(client_nonce)) {}

std::string ClientExchange::client_first() const { return "n,,n=,r=" + client_nonce_; }

std::optional<std::string> ClientExchange::client_final(std::string_view server_first) {
  AttributeReader attrs(server_first);
  const auto nonce = attrs.expect('r');
  const auto salt_b64 = attrs.expect('s');
  const auto iterations_text = attrs.expect('i');
  if (!nonce || !salt_b64 || !iterations_text || !attrs.at_end()) return std::nullopt;
  if (!nonce->starts_with(client_nonce_) || nonce->size() == client_nonce_.size() || !valid_nonce(*nonce))
    return std::nullopt;
  const auto salt = base64_decode(*salt_b64);
  int iterations = 0;
  const auto [end, ec] =
      std::from_chars(iterations_text->data(), iterations_text->data() + iterations_text->size(), iterations);
  if (!salt || ec != std::errc() || end != iterations_text->data() + iterations_text->size() ||
      iterations < 1 || iterations > 10'000'000)
    return std::nullopt;

  // ASCII passwords only: SASLprep maps them to themselves.
  salted_password_.assign(kKeyLength, 0);
  if (PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()), salt->data(),
                        static_cast<int>(salt->size()), iterations, EVP_sha256(),
                        static_cast<int>(kKeyLength), salted_password_.data()) != 1)
    throw std::runtime_error("PBKDF2 failed (OpenSSL)");
  const auto client_key = hmac_sha256(salted_password_, "Client Key");
  const auto stored_key = sha256(client_key);
  const auto without_proof = fmt::format("c=biws,r={}", *nonce);
  auth_message_ = fmt::format("n=,r={},{},{}", client_nonce_, server_first, without_proof);
  const auto signature = hmac_sha256(stored_key, auth_message_);
  Bytes proof(kKeyLength);
  for (std::size_t i = 0; i < kKeyLength; ++i) proof[i] = client_key[i] ^ signature[i];
  return fmt::format("{},p={}", without_proof, base64_encode(proof));
}

bool ClientExchange::verify_server_final(std::string_view server_final) const {
  if (!server_final.starts_with("v=")) return false;
  const auto signature = base64_decode(server_final.substr(2));
  const auto server_key = hmac_sha256(salted_password_, "Server Key");
  const auto expected = hmac_sha256(server_key, auth_message_);
  return signature && signature->size() == expected.size() &&
         CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) == 0;
}

}  // namespace gdpr::proxy::scram
