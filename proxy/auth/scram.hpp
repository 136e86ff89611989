#pragma once
// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, server side:
// the proxy verifies an end user's proof against the verifier the extension
// stored (the same format as pg_authid.rolpassword), so it never sees or
// stores a password. Pure C++ over OpenSSL (HMAC, SHA-256, RAND_bytes,
// base64); no I/O, so every malformed message can be unit-tested.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::proxy::scram {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::string_view kMechanism = "SCRAM-SHA-256";
inline constexpr std::size_t kKeyLength = 32;  // SHA-256
// PostgreSQL's SCRAM_RAW_NONCE_LEN.
inline constexpr std::size_t kRawNonceLength = 18;

// Thin OpenSSL wrappers. base64_decode returns nullopt for anything that is
// not canonical, padded base64 (the alphabet PostgreSQL uses).
std::string base64_encode(const Bytes& data);
std::optional<Bytes> base64_decode(std::string_view text);
Bytes hmac_sha256(const Bytes& key, std::string_view message);
Bytes sha256(const Bytes& data);
Bytes random_bytes(std::size_t n);

// SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>
struct Verifier {
  int iterations = 0;
  Bytes salt;
  Bytes stored_key;
  Bytes server_key;

  static std::optional<Verifier> parse(std::string_view text);
  // A verifier nobody knows the password of, stable per user name, used to run
  // a full exchange for users that do not exist (or may not log in), so that
  // the answer cannot tell "no such user" from "wrong password".
  static Verifier mock(std::string_view user, const Bytes& process_secret);
};

// One server-side exchange: client-first -> server-first, client-final ->
// server-final. Any method returns Failure for malformed input (the caller
// answers FATAL 08P01) or a wrong proof (FATAL 28P01).
class ServerExchange {
 public:
  enum class Status : std::uint8_t { ok, malformed, wrong_proof };
  struct Step {
    Status status = Status::malformed;
    // ok: the message to send (server-first or server-final).
    // malformed / wrong_proof: the reason, for the log only.
    std::string text;
  };

  // `server_nonce` empty: a fresh random one (tests pass a fixed one).
  explicit ServerExchange(Verifier verifier, std::string server_nonce = {});

  Step client_first(std::string_view message);
  Step client_final(std::string_view message);

 private:
  enum class State : std::uint8_t { expect_first, expect_final, done };
  State state_ = State::expect_first;
  Verifier verifier_;
  std::string server_nonce_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string combined_nonce_;
};

// Client side (the proxy logging in to a server that asks for SCRAM): used by
// tests to drive ServerExchange exactly as libpq would.
class ClientExchange {
 public:
  ClientExchange(std::string password, std::string client_nonce = {});
  std::string client_first() const;
  // nullopt when server-first is malformed or its nonce does not extend ours.
  std::optional<std::string> client_final(std::string_view server_first);
  bool verify_server_final(std::string_view server_final) const;

 private:
  std::string password_;
  std::string client_nonce_;
  std::string auth_message_;
  Bytes salted_password_;
};

}  // namespace gdpr::proxy::scram
