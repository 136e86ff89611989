// The audit log's HMAC chain (audit/chain.hpp): known answers computed with
// an independent implementation (openssl dgst -mac HMAC, Python hmac), the
// forward-ratcheting key, and the canonical encoding that is signed.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "audit/chain.hpp"

namespace gdpr::audit {
namespace {

Digest counting_key() {
  Digest k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i + 1);
  return k;
}

TEST(AuditChain, CanonicalEncodingIsLengthPrefixed) {
  EXPECT_EQ(canonical_encoding({std::string("hello"), std::nullopt}), "5:hello;N;");
  // NULL and the empty string differ; so do values that would run together
  // without length prefixes.
  EXPECT_NE(canonical_encoding({std::nullopt}), canonical_encoding({std::string()}));
  EXPECT_NE(canonical_encoding({std::string("a;"), std::string("b")}),
            canonical_encoding({std::string("a"), std::string(";b")}));
  EXPECT_NE(canonical_encoding({std::string("N;")}), canonical_encoding({std::nullopt, std::nullopt}));
}

TEST(AuditChain, FirstMacIsHmacSha256OverEventAndZeroMac) {
  Chain chain(counting_key());
  EXPECT_EQ(chain.next_id(), 1);
  const Digest mac = chain.sign("5:hello;N;");
  // openssl dgst -sha256 -mac HMAC -macopt hexkey:0102..20 over "5:hello;N;" || 32 zero bytes
  EXPECT_EQ(to_hex(mac), "1077703a7ed09b25aacf43d8ef90d43a5f3c949df87521935fcc0b029640c651");
  EXPECT_EQ(chain.head(), mac);
  EXPECT_EQ(chain.next_id(), 2);
}

TEST(AuditChain, KeyRatchetsWithSha256AndMacsChain) {
  EXPECT_EQ(to_hex(sha256(counting_key())),
            "ae216c2ef5247a3782c135efa279a3e4cdc61094270f5d2be58c6204b7a612c9");
  Chain chain(counting_key());
  chain.sign("5:hello;N;");
  // HMAC(SHA-256(k), "0:;" || mac_1), computed independently.
  EXPECT_EQ(to_hex(chain.sign("0:;")), "615394d2ea7c097f6c3f2d54d99368bfb7792fa4d87a808ba7c75a148c49285e");
}

TEST(AuditChain, SeekResumesWhereTheWriterStopped) {
  Chain writer(counting_key());
  std::vector<Digest> macs;
  for (int i = 0; i < 5; ++i) macs.push_back(writer.sign("event " + std::to_string(i)));
  // A verifier starting after event 3 (a retention checkpoint) from the first key.
  Chain verifier(counting_key());
  verifier.seek(4, macs[2]);
  EXPECT_EQ(verifier.next_id(), 4);
  EXPECT_EQ(verifier.sign("event 3"), macs[3]);
  EXPECT_EQ(verifier.sign("event 4"), macs[4]);
}

TEST(AuditChain, ResumeWithTheHandedOverKeyContinuesTheChain) {
  Chain writer(counting_key());
  std::vector<Digest> macs;
  for (int i = 0; i < 3; ++i) macs.push_back(writer.sign("event " + std::to_string(i)));
  const Digest handed_over = writer.key();  // the key of event 4
  for (int i = 3; i < 5; ++i) macs.push_back(writer.sign("event " + std::to_string(i)));
  // A successor given the key of event 4 and mac 3 signs exactly as the
  // writer did, and so does one that ratchets from the first key.
  Chain successor(counting_key());
  successor.resume(4, handed_over, macs[2]);
  Chain ratcheted(counting_key());
  ratcheted.seek(4, macs[2]);
  EXPECT_EQ(successor.key(), ratcheted.key());
  EXPECT_EQ(successor.sign("event 3"), macs[3]);
  EXPECT_EQ(successor.sign("event 4"), macs[4]);
  EXPECT_EQ(successor.next_id(), 6);
}

TEST(AuditChain, AnyChangeAltersThisAndEveryLaterMac) {
  Chain a(counting_key()), b(counting_key());
  EXPECT_EQ(a.sign("1"), b.sign("1"));
  EXPECT_NE(a.sign("2"), b.sign("2 edited"));
  EXPECT_NE(a.sign("3"), b.sign("3"));  // same content, different history
}

TEST(AuditChain, DifferentKeysGiveDifferentMacs) {
  Digest other = counting_key();
  other[0] ^= 1;
  Chain a(counting_key()), b(other);
  EXPECT_NE(a.sign("x"), b.sign("x"));
}

TEST(AuditChain, HexIsLowercaseTwoDigitsPerByte) {
  Digest d{};
  d[0] = 0x0a;
  d[31] = 0xff;
  const std::string hex = to_hex(d);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 2), "0a");
  EXPECT_EQ(hex.substr(62), "ff");
}

}  // namespace
}  // namespace gdpr::audit
