#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "identifiers/recognisers.hpp"
#include "identifiers_test_support.hpp"

namespace gdpr::identifiers::testing {
namespace {

TEST(IdentifierText, SlovakTextWithDiacriticsUsesByteOffsets) {
  std::string text = "Dobrý deň, volajte na 0905 123 456";
  auto matches = find_in_text(text, kRegion);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].offset, 24u);  // 22 characters, 24 bytes: ý and ň take two each
  EXPECT_EQ(text.substr(matches[0].offset, matches[0].length), "0905 123 456");
  EXPECT_EQ(redact(text, kRegion), "Dobrý deň, volajte na [phone]");
  // Multi-byte characters right before the number, inside the matcher's view.
  EXPECT_EQ(found("Tel.č. 0905 123 456"), "phone:+421905123456@8+12");
  EXPECT_EQ(found("€€ 0905 123 456 €"), "phone:+421905123456@7+12");
  EXPECT_EQ(found("ňň (0905) 123 456"), "phone:+421905123456@5+14");
}

TEST(IdentifierText, TwoPeoplesIdentifiersInOneMessage) {
  // Byte offsets: í, š, ô and á take two bytes each.
  std::string text =
      "Ahoj, píše Jana (Jana.Novakova@Example.sk, 0905/123-456). Môj kolega Peter má "
      "+421 907 654 321 a peter@firma.sk. Platbu pošlite na SK31 1200 0000 1987 4263 7541.";
  EXPECT_EQ(found(text),
            "email:jana.novakova@example.sk@19+24 phone:+421905123456@45+12 phone:+421907654321@82+16 "
            "email:peter@firma.sk@101+14 iban:SK3112000000198742637541@136+29");
  EXPECT_EQ(
      redact(text, kRegion),
      "Ahoj, píše Jana ([email], [phone]). Môj kolega Peter má [phone] a [email]. Platbu pošlite na [iban].");
}

TEST(IdentifierText, IbanAndPhoneSideBySide) {
  // ("účet " is 7 bytes: ú and č take two each.)
  std::string text = "účet SK31 1200 0000 1987 4263 7541, tel. 0905 123 456";
  EXPECT_EQ(found(text), "iban:SK3112000000198742637541@7+29 phone:+421905123456@43+12");
}

TEST(IdentifierText, EmailWinsOverPhoneInItsLocalPart) {
  // The phone recogniser alone does see a number there...
  std::vector<Match> phones;
  detail::find_phones("sms na 0905123456@sms.example.sk", kRegion, phones);
  ASSERT_EQ(phones.size(), 1u);
  EXPECT_EQ(phones[0].offset, 7u);
  // ...but the e-mail address containing it wins.
  EXPECT_EQ(found("sms na 0905123456@sms.example.sk"), "email:0905123456@sms.example.sk@7+25");
  EXPECT_EQ(redact("sms na 0905123456@sms.example.sk", kRegion), "sms na [email]");
}

Match candidate(Kind kind, std::size_t offset, std::size_t length) {
  return Match{Identifier{kind, std::string(kind_name(kind)) + std::to_string(offset)}, offset, length};
}

std::string offsets(const std::vector<Match>& matches) {
  std::string out;
  for (const auto& m : matches) out += m.id.value + "@" + std::to_string(m.offset) + " ";
  return out;
}

TEST(IdentifierText, OverlapsResolvedByPrecedenceThenPosition) {
  // phone 0..12 overlaps iban 10..39 (IBAN wins); phone 40..52 overlaps email
  // 45..60 (e-mail wins); phones 70..80 and 75..90 overlap (the earlier wins);
  // phone 90..95 only touches the previous one and stays.
  std::vector<Match> candidates = {candidate(Kind::phone, 0, 12),  candidate(Kind::phone, 40, 12),
                                   candidate(Kind::phone, 75, 15), candidate(Kind::phone, 70, 10),
                                   candidate(Kind::email, 45, 15), candidate(Kind::iban, 10, 29),
                                   candidate(Kind::phone, 90, 5)};
  EXPECT_EQ(offsets(detail::without_overlaps(candidates)), "iban10@10 email45@45 phone70@70 phone90@90 ");
}

TEST(IdentifierText, OverlapInsideALongerMatchIsDropped) {
  std::vector<Match> candidates = {candidate(Kind::phone, 12, 3), candidate(Kind::email, 10, 20),
                                   candidate(Kind::phone, 5, 40)};
  EXPECT_EQ(offsets(detail::without_overlaps(candidates)), "email10@10 ");
}

TEST(IdentifierText, NothingFoundMeansTextUnchanged) {
  for (std::string_view text : {"", "   ", "Objednávka #12345 zo dňa 2024-03-17, suma 1 234,56 EUR.",
                                "kód AB-12345-X, foo@bar, IBAN SK31 1200 0000 1987 4263 7542"}) {
    EXPECT_EQ(found(text), "") << text;
    EXPECT_EQ(redact(text, kRegion), text);
  }
}

TEST(IdentifierText, RedactKeepsEverythingAroundByteForByte) {
  std::string text = "\xef\xbb\xbf«jane@example.com»\r\n\t0905 123 456 \xf0\x9f\x98\x80 koniec";
  EXPECT_EQ(redact(text, kRegion), "\xef\xbb\xbf«[email]»\r\n\t[phone] \xf0\x9f\x98\x80 koniec");
}

TEST(IdentifierText, InvalidUtf8DoesNotHideIdentifiers) {
  // libphonenumber's matcher gives up on a whole string with one bad byte;
  // the bad byte must not make the phone number invisible.
  std::string text = "bad \xff byte, call 0905 123 456, mail jane@example.com \xc3";
  EXPECT_EQ(found(text), "phone:+421905123456@17+12 email:jane@example.com@36+16");
}

// Support-mail text, as in the demo data: prose, numbers that are not
// phones, and one of each identifier per paragraph.
std::string support_mail(std::size_t bytes) {
  const std::string paragraph =
      "Dobrý deň, prosím o zmenu tarify od 1.4. Volajte mi na 0905 123 456 alebo napíšte na "
      "jana.novakova@example.sk. Objednávka #12345 z 2024-03-17, suma 1 234,56 EUR. "
      "Platba z účtu SK31 1200 0000 1987 4263 7541. Ďakujem, Jana Nováková\n";
  std::string text;
  text.reserve(bytes + paragraph.size());
  while (text.size() < bytes) text += paragraph;
  return text;
}

// Wall-clock seconds find_in_text takes on `text` (best of `runs`).
double seconds_to_find(const std::string& text, int runs = 1) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    auto started = std::chrono::steady_clock::now();
    auto matches = find_in_text(text, kRegion);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    EXPECT_FALSE(matches.empty());
  }
  return best;
}

// Linear, not quadratic: 16 times the text must cost about 16 times the time
// (quadratic would be 256). A ratio, not an absolute bound, so a slow machine
// or a sanitizer build (which slow both sizes alike) cannot fail it.
constexpr double kMaxGrowthFor16xText = 64.0;

TEST(IdentifierText, OneMegabyteIsLinearAndComplete) {
  std::string text = support_mail(1 << 20);
  std::size_t paragraphs = 0;
  for (char c : text) paragraphs += c == '\n';
  EXPECT_EQ(find_in_text(text, kRegion).size(), 3 * paragraphs);  // phone, e-mail, IBAN in each, nothing else

  const double small = seconds_to_find(support_mail(1 << 16), 3);
  const double large = seconds_to_find(text);
  EXPECT_LT(large, small * kMaxGrowthFor16xText) << "64 KiB: " << small << " s, 1 MiB: " << large << " s";
}

TEST(IdentifierText, OneMegabyteWithoutWordsToCutAt) {
  // A table of numbers: no two adjacent letters anywhere.
  auto table = [](std::size_t bytes) {
    std::string text;
    while (text.size() < bytes) text += "1 234,56 | 0905 123 456 | 2024-03-17\n";
    return text;
  };
  const double small = seconds_to_find(table(1 << 16), 3);
  const double large = seconds_to_find(table(1 << 20));
  EXPECT_LT(large, small * kMaxGrowthFor16xText) << "64 KiB: " << small << " s, 1 MiB: " << large << " s";
}

// Random strings from an alphabet rich in the characters recognisers care
// about must never crash, and the results must keep their promises.
TEST(IdentifierText, RandomStringsKeepTheInvariants) {
  const std::vector<std::string> pieces = {"0",
                                           "1",
                                           "5",
                                           "9",
                                           "+",
                                           "(",
                                           ")",
                                           "-",
                                           "/",
                                           ".",
                                           " ",
                                           "@",
                                           "a",
                                           "Z",
                                           "SK",
                                           "31",
                                           "0905",
                                           "123 456",
                                           "\n",
                                           "č",
                                           "ň",
                                           "\xff",
                                           "\xc3",
                                           "\xe2\x82",
                                           "jane",
                                           ".com",
                                           "ext",
                                           "#",
                                           ",",
                                           "00421",
                                           std::string(1, '\0')};
  std::mt19937 random(20240317);
  for (int round = 0; round < 500; ++round) {
    std::string text;
    int length = static_cast<int>(random() % 80);
    for (int i = 0; i < length; ++i) text += pieces[random() % pieces.size()];

    auto matches = find_in_text(text, kRegion);
    std::size_t previous_end = 0;
    for (const auto& m : matches) {
      ASSERT_GE(m.offset, previous_end) << text;
      ASSERT_GT(m.length, 0u) << text;
      ASSERT_LE(m.offset + m.length, text.size()) << text;
      previous_end = m.offset + m.length;
      if (m.id.kind == Kind::email || m.id.kind == Kind::iban) {
        auto again = normalize_as(m.id.kind, std::string_view(text).substr(m.offset, m.length), kRegion);
        ASSERT_TRUE(again.has_value()) << text;
        EXPECT_EQ(again->value, m.id.value) << text;
      }
    }
    std::string redacted = redact(text, kRegion);
    if (matches.empty()) {
      EXPECT_EQ(redacted, text);
    }
    (void)normalize(text, kRegion);
    (void)is_valid_iban(text);
    (void)looks_like_email(text);
  }
}

}  // namespace
}  // namespace gdpr::identifiers::testing

namespace gdpr::identifiers::testing {
namespace {

TEST(IdentifierText, PollIsCalledDuringLongScans) {
  std::string text = support_mail(256 << 10);
  int polls = 0;
  auto matches = find_in_text(text, kRegion, [&] { ++polls; });
  EXPECT_GT(polls, 10);
  EXPECT_EQ(matches.size(), find_in_text(text, kRegion).size());
}

TEST(IdentifierText, PollMayAbortTheScanWithAnException) {
  // What a backend does on query cancel: the exception leaves unchanged.
  struct Cancelled {};
  std::string text = support_mail(256 << 10);
  int polls = 0;
  auto cancel_on_third = [&] {
    if (++polls == 3) throw Cancelled{};
  };
  EXPECT_THROW(find_in_text(text, kRegion, cancel_on_third), Cancelled);
  polls = 0;
  EXPECT_THROW(redact(text, kRegion, cancel_on_third), Cancelled);
  EXPECT_EQ(polls, 3);
}

// A number in a fictional range (Ofcom's +44 7700 900xxx drama numbers) is
// not a *valid* number: identity matching ignores it, but the redact mask,
// which hides rather than identifies, must not let it through.
TEST(IdentifierText, CautiousRecallHidesNumbersLibphonenumberCannotVouchFor) {
  const std::string text = "Call me back on +44 7700 900789 or 0905 123 456, thanks.";
  const auto precise = find_in_text(text, "SK", {}, PhoneRecall::precise);
  ASSERT_EQ(precise.size(), 1u);
  EXPECT_EQ(precise[0].id.value, "+421905123456");

  EXPECT_EQ(redact(text, "SK", {}, PhoneRecall::cautious), "Call me back on [phone] or [phone], thanks.");
  EXPECT_EQ(redact(text, "SK"), "Call me back on +44 7700 900789 or [phone], thanks.");
}

TEST(IdentifierText, CautiousRecallStillLeavesOrdinaryTextAlone) {
  const std::string text = "Ticket #4411 from 2024-03-17: refund of 1 234,56 EUR approved.";
  EXPECT_EQ(redact(text, "SK", {}, PhoneRecall::cautious), text);
}

}  // namespace
}  // namespace gdpr::identifiers::testing
