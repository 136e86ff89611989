// Recognising personal identifiers: e-mail addresses, phone numbers, IBANs,
// IP addresses, dates. Ground floor of the product: the catalog's scan, the
// subject index, erase redaction and the `redact` mask all stand on this, and
// it depends on none of them (pure C++, no PostgreSQL headers).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gdpr::identifiers {

// `name` is a person's name: it has no shape to recognise, so normalize()
// never returns it; names are found in text only when the caller knows them
// (find_names below).
enum class Kind { email, phone, iban, ip_address, date, literal, name };

// "email", "phone", "iban", "ip_address", "date", "literal", "name"
std::string_view kind_name(Kind kind) noexcept;

// An identifier in canonical form: the same person's identifier written in
// any notation normalises to the same `value`.
//   email:      trimmed and lower-cased               jane.doe@example.com
//   phone:      E.164                                 +421905123456
//   iban:       upper-case, no spaces                 SK3112000000198742637541
//   ip_address: canonical text (inet_ntop)            2001:db8::1
//   date:       ISO 8601                              1984-03-17
//   literal:    trimmed input, unchanged otherwise
//   name:       name_key(): folded words, one space   ivana novakova
struct Identifier {
  Kind kind;
  std::string value;
  bool operator==(const Identifier&) const = default;
};

// Classifies and normalises a whole value (a column value, or what a
// compliance officer typed). `region` is an ISO 3166 code used for phone
// numbers in national notation (0905/123-456 in "SK"); an empty or malformed
// region means only international notation (+..., 00...) is a phone number.
// Returns nullopt for an empty or blank value. Anything not recognised as
// another kind is a `literal`. Kinds are tried in an order that cannot
// misclassify: email, iban, ip_address, date, phone, literal (a date such as
// 17.03.1984 is never a phone number; an IBAN never a phone number).
//
// Errors: none for any input (malformed UTF-8 included); only std::bad_alloc
// can escape from this and every other function of this header that is not
// noexcept. Nothing writes to stdout/stderr. All functions are thread-safe
// (no mutable state but libphonenumber's internally locked singleton).
std::optional<Identifier> normalize(std::string_view value, std::string_view region);

// Normalises `value` as the given kind; nullopt when it is not one.
std::optional<Identifier> normalize_as(Kind kind, std::string_view value, std::string_view region);

// One identifier found inside free text.
struct Match {
  Identifier id;
  std::size_t offset;  // byte offset of the match in the text
  std::size_t length;  // byte length of the match as written
};

// Every e-mail address, phone number (any common notation, via libphonenumber)
// and IBAN (checksum verified) inside `text`, in order of offset,
// non-overlapping. Dates and IPs are not searched in free text.
// Where candidates overlap, an IBAN wins over an e-mail address, which wins
// over a phone number. Offsets are byte offsets into the (UTF-8) text; the
// text is not required to be valid UTF-8. Linear in the length of the text.
std::vector<Match> find_in_text(std::string_view text, std::string_view region);

// Called now and then (every few milliseconds of work) during a long scan, so
// that a backend can honour a query cancel on a very large text: pass a
// function that runs CHECK_FOR_INTERRUPTS() under gdpr::pg::guard. It may
// throw: the exception propagates out of find_in_text/redact unchanged (no
// libphonenumber code is on the stack when it is called).
using Poll = std::function<void()>;
std::vector<Match> find_in_text(std::string_view text, std::string_view region, const Poll& poll);

// How hard find_in_text looks for phone numbers.
//  precise:  only numbers libphonenumber rates *valid* for their region. For
//            identity: the subject index and erase compare who a number is.
//  cautious: also numbers that are merely *possible* (a plausible length, but
//            an unassigned or fictional range such as +44 7700 900xxx). For
//            hiding: the `redact` mask uses it, because redacting too much is
//            a safe failure and showing a real number is not.
enum class PhoneRecall { precise, cautious };
std::vector<Match> find_in_text(std::string_view text, std::string_view region, const Poll& poll,
                                PhoneRecall recall);

// Replaces each match found by find_in_text with a placeholder: "[email]",
// "[phone]", "[iban]". The `redact` mask and erase redaction use this.
std::string redact(std::string_view text, std::string_view region);
std::string redact(std::string_view text, std::string_view region, const Poll& poll);
std::string redact(std::string_view text, std::string_view region, const Poll& poll, PhoneRecall recall);

// ---- Names of people --------------------------------------------------------
// A name has no shape that tells it from other words, so names are found in
// text only by knowing them: the caller keeps a directory of known names (the
// `redact` mask: keyed hashes of every value of a column tagged `name`), and
// find_names asks it about the words of the text.
//
// Words are runs of letters and digits (any script). Two words joined by one
// apostrophe or hyphen stay one word ("O'Connor", "Anna-Mária"); any run of
// white space (spaces, tabs, line breaks, no-break spaces) separates words;
// other punctuation ends a name. Words are compared folded: case-folded, with
// diacritics removed and Latin letters spelled in ASCII (ICU's Latin-ASCII):
// "NOVÁKOVÁ", "Nováková" and "Novakova" are the same word, "Weiß" is "weiss".
// So a name written without its diacritics, as people often do in mail, is
// still found: folding makes redaction match more, never less.

// A folded word ("Nováková" -> "novakova").
std::string fold_word(std::string_view word);

// The folded key of a name as written: its words folded, white space between
// them one space, joiners kept ("Ivana  NOVÁKOVÁ" -> "ivana novakova").
// Empty when there is no word. normalize_as(Kind::name, ...) gives the same.
std::string name_key(std::string_view name);

// Every key under which a stored name is to be found in text:
//   - the name as written ("Ivana Nováková" -> "ivana novakova");
//   - a two-word name in the other order ("novakova ivana": surname first,
//     as Slovak and Czech forms and many signatures write it);
//   - a name written as two parts around a comma in either order
//     ("Nováková, Ivana" -> "novakova ivana", "ivana novakova"); parts of
//     two words or more between other punctuation on their own
//     ("Ing. Ivana Nováková, PhD." -> also "ivana novakova");
//   - German umlauts spelled out, word by word ("Jürgen Müller" -> also
//     "juergen mueller", "jurgen mueller", ...).
// Keys of more than kMaxNameWords words are left out (find_names would never
// reach them). Deduplicated; empty for a value without words.
inline constexpr std::size_t kMaxNameWords = 10;
std::vector<std::string> name_keys(std::string_view stored_name);

// The first word of a key ("ivana novakova" -> "ivana").
std::string_view name_key_first_word(std::string_view key) noexcept;

// What find_names asks about folded words. starts_name() is asked about every
// word of the text and must be cheap; is_name() only about word sequences
// that begin with a word for which starts_name() said yes.
class NameDirectory {
 public:
  virtual ~NameDirectory() = default;
  // Is `first_word` the first word of some known name key?
  virtual bool starts_name(std::string_view first_word) = 0;
  // Is `key` a known name key?
  virtual bool is_name(std::string_view key) = 0;
};

// Every occurrence in `text` of a name the directory knows, as Kind::name
// matches (value: the key), in order of offset, non-overlapping; where names
// overlap the longest one starting first wins. Linear in the length of the
// text (at most kMaxNameWords look-ups per word that starts a name).
std::vector<Match> find_names(std::string_view text, NameDirectory& directory);

// redact() plus the known names: each found name becomes "[name]". Where a
// name overlaps an e-mail, phone number or IBAN, the identifier wins.
std::string redact(std::string_view text, std::string_view region, const Poll& poll, PhoneRecall recall,
                   NameDirectory& names);

// A valid phone number split for masks that keep a recognisable shape
// ("+421 9** *** 456"): the country calling code and the national
// significant number (no national prefix). nullopt when normalize_as(phone)
// would give nullopt for the same value and region.
struct PhoneParts {
  int country_code = 0;         // 421
  std::string national_number;  // "905123456"
  bool operator==(const PhoneParts&) const = default;
};
std::optional<PhoneParts> phone_parts(std::string_view value, std::string_view region);

// Checks used by gdpr_scan on sampled values (surrounding white space is
// ignored; an IBAN may contain spaces).
bool is_valid_iban(std::string_view value) noexcept;
bool looks_like_email(std::string_view value) noexcept;

// Loads libphonenumber's metadata now rather than on the first phone number
// (a one-off ~10 ms and a few MB). Call it from _PG_init so the postmaster
// pays once and forked backends share the pages. Optional: everything here
// initialises itself lazily and thread-safely otherwise.
void warm_up();

}  // namespace gdpr::identifiers
