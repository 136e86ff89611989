// SCRAM-SHA-256 server side: a verifier written by PostgreSQL itself, the
// RFC 7677 known-answer exchange, wrong proofs, and every malformed message
// the server must refuse.

#include <gtest/gtest.h>

#include "auth/scram.hpp"

namespace gdpr::proxy::scram {
namespace {

// Produced by PostgreSQL 15 (gdpr_user_add('anna', 'agent', 'anna') ->
// pg_be_scram_build_secret) on a test cluster; the password is "anna".
constexpr std::string_view kPostgresVerifier =
    "SCRAM-SHA-256$4096:hh2cusA+1HnTuGy8zN3Aug==$Rk9nEWPqdBzKsKqYPMAJwsoQHb+3SOY7kP0vgUw2SsI=:"
    "aFpqRuLifHfFvyeq2Wu1+wGyJe0hia3LAH62FVVu6Jc=";
constexpr std::string_view kPostgresPassword = "anna";

// RFC 7677 section 3 (user "user", password "pencil"); the verifier holds the
// keys derived from its salt and iteration count.
constexpr std::string_view kRfcVerifier =
    "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
constexpr std::string_view kRfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kRfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kRfcServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kRfcClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+"
    "Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kRfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

using Status = ServerExchange::Status;

Verifier verifier(std::string_view text) {
  auto v = Verifier::parse(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v.value_or(Verifier{});
}

ServerExchange rfc_exchange() { return ServerExchange(verifier(kRfcVerifier), std::string(kRfcServerNonce)); }

TEST(ScramVerifier, ParsesPostgresFormat) {
  const auto v = verifier(kPostgresVerifier);
  EXPECT_EQ(v.iterations, 4096);
  EXPECT_EQ(v.salt.size(), 16u);
  EXPECT_EQ(v.stored_key.size(), kKeyLength);
  EXPECT_EQ(v.server_key.size(), kKeyLength);
}

TEST(ScramVerifier, RejectsMalformed) {
  for (std::string_view bad : {
           "",
           "md5abcdef",
           "SCRAM-SHA-1$4096:c2FsdA==$a:b",
           "SCRAM-SHA-256$0:hh2cusA+1HnTuGy8zN3Aug==$Rk9nEWPqdBzKsKqYPMAJwsoQHb+3SOY7kP0vgUw2SsI=:"
           "aFpqRuLifHfFvyeq2Wu1+wGyJe0hia3LAH62FVVu6Jc=",
           "SCRAM-SHA-256$x:hh2cusA+1HnTuGy8zN3Aug==$Rk9nEWPqdBzKsKqYPMAJwsoQHb+3SOY7kP0vgUw2SsI=:"
           "aFpqRuLifHfFvyeq2Wu1+wGyJe0hia3LAH62FVVu6Jc=",
           // StoredKey too short
           "SCRAM-SHA-256$4096:hh2cusA+1HnTuGy8zN3Aug==$Rk9n:aFpqRuLifHfFvyeq2Wu1+wGyJe0hia3LAH62FVVu6Jc=",
           // missing ServerKey
           "SCRAM-SHA-256$4096:hh2cusA+1HnTuGy8zN3Aug==$Rk9nEWPqdBzKsKqYPMAJwsoQHb+3SOY7kP0vgUw2SsI=",
           // salt not base64
           "SCRAM-SHA-256$4096:hh2c!!A+1HnTuGy8zN3Aug==$Rk9nEWPqdBzKsKqYPMAJwsoQHb+3SOY7kP0vgUw2SsI=:"
           "aFpqRuLifHfFvyeq2Wu1+wGyJe0hia3LAH62FVVu6Jc=",
       }) {
    EXPECT_FALSE(Verifier::parse(bad).has_value()) << bad;
  }
}

TEST(ScramBase64, RoundTripsAndRejectsNonCanonical) {
  const Bytes data{0x00, 0xff, 0x10, 0x20};
  EXPECT_EQ(base64_encode(data), "AP8QIA==");
  EXPECT_EQ(base64_decode("AP8QIA==").value(), data);
  EXPECT_EQ(base64_decode("biws").value(), (Bytes{'n', ',', ','}));
  for (std::string_view bad :
       {"", "A", "AP8QIA=", "AP8QIA=A", "AP8Q IA=", "AP8QIB==", "====", "A===", "AP=QIA=="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(ScramServer, Rfc7677KnownAnswer) {
  auto exchange = rfc_exchange();
  const auto first = exchange.client_first(kRfcClientFirst);
  ASSERT_EQ(first.status, Status::ok) << first.text;
  EXPECT_EQ(first.text, kRfcServerFirst);
  const auto final_step = exchange.client_final(kRfcClientFinal);
  ASSERT_EQ(final_step.status, Status::ok) << final_step.text;
  EXPECT_EQ(final_step.text, kRfcServerFinal);
}

TEST(ScramServer, AcceptsTheRightPasswordAgainstAPostgresVerifier) {
  ServerExchange server(verifier(kPostgresVerifier));
  ClientExchange client{std::string(kPostgresPassword)};
  const auto first = server.client_first(client.client_first());
  ASSERT_EQ(first.status, Status::ok) << first.text;
  const auto client_final = client.client_final(first.text);
  ASSERT_TRUE(client_final.has_value());
  const auto final_step = server.client_final(*client_final);
  ASSERT_EQ(final_step.status, Status::ok) << final_step.text;
  EXPECT_TRUE(client.verify_server_final(final_step.text));
}

TEST(ScramServer, RefusesAWrongPassword) {
  ServerExchange server(verifier(kPostgresVerifier));
  ClientExchange client("Anna");
  const auto first = server.client_first(client.client_first());
  ASSERT_EQ(first.status, Status::ok);
  const auto final_step = server.client_final(client.client_final(first.text).value());
  EXPECT_EQ(final_step.status, Status::wrong_proof);
}

TEST(ScramServer, RefusesATamperedProof) {
  auto exchange = rfc_exchange();
  ASSERT_EQ(exchange.client_first(kRfcClientFirst).status, Status::ok);
  std::string tampered(kRfcClientFinal);
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(exchange.client_final(tampered).status, Status::wrong_proof);
}

TEST(ScramServer, ServerNoncesAreFreshAndPrintable) {
  ServerExchange a(verifier(kPostgresVerifier)), b(verifier(kPostgresVerifier));
  const auto fa = a.client_first("n,,n=,r=abc").text;
  const auto fb = b.client_first("n,,n=,r=abc").text;
  EXPECT_NE(fa, fb);
  EXPECT_TRUE(fa.starts_with("r=abc"));
  EXPECT_GT(fa.find(",s="), 5u + 20u);  // client nonce + 24 base64 characters
}

TEST(ScramServer, AcceptsChannelBindingFlagY) {
  // 'y': the client could bind but believes the server cannot; fine, since
  // this server offers SCRAM-SHA-256 only.
  ServerExchange server(verifier(kRfcVerifier), std::string(kRfcServerNonce));
  ASSERT_EQ(server.client_first("y,,n=user,r=rOprNGfwEbeRWgbNEkqO").status, Status::ok);
  // The final message must then carry base64("y,,") = "eSws", not "biws".
  EXPECT_EQ(server.client_final(kRfcClientFinal).status, Status::malformed);
}

TEST(ScramServer, RefusesMalformedClientFirst) {
  for (std::string_view bad : {
           "", "n,",
           "x,,n=,r=abc",             // unknown channel-binding flag
           "p=tls-unique,,n=,r=abc",  // channel binding required but not offered
           "n,a=admin,n=,r=abc",      // authorization identity
           "n;,n=,r=abc",
           "n,,m=ext,n=,r=abc",  // mandatory extension
           "n,,r=abc",           // no user name attribute
           "n,,n=",              // no nonce
           "n,,n=,r=",           // empty nonce
           "n,,n=,r=ab,c",       // garbage after the nonce
           "n,,n=,r=abc,",       // trailing comma
           "n,,n=,x=abc",        // wrong attribute instead of r
           "n,,n=,r=ab\x7f"
           "c",  // non-printable nonce
       }) {
    ServerExchange server(verifier(kPostgresVerifier));
    EXPECT_EQ(server.client_first(bad).status, Status::malformed) << bad;
  }
}

TEST(ScramServer, RefusesMalformedClientFinal) {
  const std::string nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const std::string proof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  for (const std::string& bad : {
           std::string(""),
           "r=" + nonce + ",p=" + proof,                  // no channel binding
           "c=eSws,r=" + nonce + ",p=" + proof,           // binding does not match the gs2 header
           "c=biws,r=" + nonce + "x,p=" + proof,          // nonce differs
           "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=" + proof,    // client nonce only
           "c=biws,r=" + nonce,                           // no proof
           "c=biws,r=" + nonce + ",p=" + proof + ",x=1",  // garbage after the proof
           "c=biws,r=" + nonce + ",p=" + proof + ",",     // trailing comma
           "c=biws,r=" + nonce + ",p=AAAA",               // proof too short
           "c=biws,r=" + nonce + ",p=not base64!",        // proof not base64
           "c=biws,r=" + nonce + ",p=" + proof.substr(0, proof.size() - 1),  // truncated proof
           "c=biws,p=" + proof + ",r=" + nonce,                              // attribute order
       }) {
    auto exchange = rfc_exchange();
    ASSERT_EQ(exchange.client_first(kRfcClientFirst).status, Status::ok);
    EXPECT_EQ(exchange.client_final(bad).status, Status::malformed) << bad;
  }
}

TEST(ScramServer, RefusesMessagesOutOfOrder) {
  auto exchange = rfc_exchange();
  EXPECT_EQ(exchange.client_final(kRfcClientFinal).status, Status::malformed);

  auto twice = rfc_exchange();
  ASSERT_EQ(twice.client_first(kRfcClientFirst).status, Status::ok);
  EXPECT_EQ(twice.client_first(kRfcClientFirst).status, Status::malformed);

  // A failed step ends the exchange: no second try on the same one.
  auto retry = rfc_exchange();
  ASSERT_EQ(retry.client_first(kRfcClientFirst).status, Status::ok);
  EXPECT_EQ(retry.client_final("c=biws").status, Status::malformed);
  EXPECT_EQ(retry.client_final(kRfcClientFinal).status, Status::malformed);
}

TEST(ScramMock, SaltIsStablePerNameAndNoProofPasses) {
  const Bytes secret = random_bytes(32);
  const auto a1 = Verifier::mock("mallory", secret);
  const auto a2 = Verifier::mock("mallory", secret);
  const auto b = Verifier::mock("eve", secret);
  EXPECT_EQ(a1.salt, a2.salt);
  EXPECT_NE(a1.salt, b.salt);
  EXPECT_EQ(a1.salt.size(), 16u);

  ServerExchange server(a1);
  ClientExchange client("mallory");
  const auto first = server.client_first(client.client_first());
  ASSERT_EQ(first.status, Status::ok);
  EXPECT_EQ(server.client_final(client.client_final(first.text).value()).status, Status::wrong_proof);
}

}  // namespace
}  // namespace gdpr::proxy::scram
