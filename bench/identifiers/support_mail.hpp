// Realistic support-mail text for the identifier benchmark: the kind of
// ticket bodies and call transcripts the demo database holds (Slovak and
// English, greetings, order numbers, dates, amounts), most with one or two
// identifiers, some with none.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace gdpr::bench {

inline constexpr std::array<std::string_view, 8> kSupportMessages = {
    "Dobrý deň,\n\nprosím o zmenu tarify od 1. 4. Číslo zmluvy 2024/0042. Ak treba, volajte mi na "
    "0905 123 456 (najlepšie poobede).\n\nS pozdravom\nJana Nováková\n",
    "Hello, I was charged twice for order #12345 on 2024-03-17 (1 234,56 EUR). Please refund the second "
    "payment to my account SK31 1200 0000 1987 4263 7541. Thanks, Peter\n",
    "Dobrý deň, ďakujem za rýchlu odpoveď. Všetko už funguje, tiket môžete uzavrieť.\n",
    "Agent: Dobrý deň, ako vám môžem pomôcť?\nZákazník: Volám kvôli faktúre za marec, suma mi nesedí.\n"
    "Agent: Overím to. Môžete mi povedať e-mail, na ktorý chodia faktúry?\nZákazník: Áno, "
    "Jana.Novakova@Example.sk.\nAgent: Ďakujem, faktúru vám pošlem znova.\n",
    "Hi team,\nplease update my phone number to +421 907 654 321 and remove the old one "
    "(0905/123-456). My new e-mail is <peter.horvath+billing@firma.sk>.\nBest regards\n",
    "Reklamácia: zariadenie AB-12345-X prestalo fungovať po 3 dňoch. Kúpené 17.03.2024 na predajni "
    "Bratislava, Obchodná 12. Prosím o výmenu.\n",
    "Thank you for contacting support. Your ticket has been received and an agent will reply within "
    "two business days. Please do not reply to this message.\n",
    "Dobrý deň, posielam fotku dokladu. Platba prebehla 2024-03-01 o 10:30, referencia 4412345678. "
    "Prosím skontrolujte to. Mária (mobil 0911 222 333)\n",
};

// Messages repeated until `bytes` are reached.
inline std::string support_mail(std::size_t bytes) {
  std::string text;
  text.reserve(bytes + 512);
  for (std::size_t i = 0; text.size() < bytes; ++i) text += kSupportMessages[i % kSupportMessages.size()];
  return text;
}

}  // namespace gdpr::bench
