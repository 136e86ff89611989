// Names of people in text: splitting text into words, folding words so that
// case and diacritics do not matter, the keys a stored name is known under,
// and finding known names in text (identifiers.hpp has the contract).
//
// Unicode comes from ICU (already loaded in every backend: libphonenumber
// depends on it): character classes, NFD decomposition, case folding and the
// Latin-ASCII transliterator. Nothing here knows which names exist; the
// caller's NameDirectory does.
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "ascii.hpp"
#include "identifiers.hpp"

namespace gdpr::identifiers {
namespace {

// What lies between two runs of letters and digits.
enum class Gap { space, joiner, other };

// A word: letters and digits, possibly several runs joined by one apostrophe
// or hyphen each ("o'connor", "anna-maria"). `gap_after` is what separates it
// from the next word (`other` after the last one).
struct Word {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string folded;
  Gap gap_after = Gap::other;
};

bool is_word_char(UChar32 c) noexcept {
  if (c < 0x80) return ascii::is_alnum(static_cast<char>(c));
  // Letters, digits and combining marks (a decomposed "á" is a + U+0301).
  return u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

bool is_space_char(UChar32 c) noexcept {
  if (c < 0x80) return ascii::is_space(static_cast<char>(c));
  return u_isUWhiteSpace(c);
}

// The joiner a code point stands for inside a word, or 0.
char joiner_of(UChar32 c) noexcept {
  switch (c) {
    case '\'':
    case 0x2019:  // right single quotation mark, the typographic apostrophe
    case 0x02BC:  // modifier letter apostrophe
      return '\'';
    case '-':
    case 0x2010:  // hyphen
    case 0x2011:  // non-breaking hyphen
      return '-';
    default:
      return 0;
  }
}

// The Latin-ASCII transliterator ("ł" -> "l", "ø" -> "o", "æ" -> "ae"), for
// the letters that NFD does not decompose. One per thread: ICU
// transliterators are not thread-safe. nullptr if ICU's data lacks it, in
// which case such letters stay as they are (still case-folded).
UTransliterator* latin_ascii() {
  struct Closer {
    void operator()(UTransliterator* t) const noexcept { utrans_close(t); }
  };
  thread_local std::unique_ptr<UTransliterator, Closer> instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    static constexpr UChar kId[] = u"Latin-ASCII";
    UTransliterator* t = utrans_openU(kId, -1, UTRANS_FORWARD, nullptr, 0, nullptr, &status);
    if (U_FAILURE(status)) t = nullptr;
    return std::unique_ptr<UTransliterator, Closer>(t);
  }();
  return instance.get();
}

std::string fold_non_ascii(std::string_view word) {
  UErrorCode status = U_ZERO_ERROR;
  // UTF-8 -> UTF-16; malformed bytes become U+FFFD rather than failing.
  std::u16string utf16(word.size() + 1, u'\0');
  int32_t length = 0;
  u_strFromUTF8WithSub(utf16.data(), static_cast<int32_t>(utf16.size()), &length, word.data(),
                       static_cast<int32_t>(word.size()), 0xFFFD, nullptr, &status);
  if (U_FAILURE(status)) return ascii::lower(word);
  utf16.resize(static_cast<std::size_t>(length));

  // NFD, then drop the combining marks: "á" -> "a", "ž" -> "z".
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  std::u16string decomposed(utf16.size() * 4 + 4, u'\0');
  if (U_SUCCESS(status)) {
    length = unorm2_normalize(nfd, utf16.data(), static_cast<int32_t>(utf16.size()), decomposed.data(),
                              static_cast<int32_t>(decomposed.size()), &status);
  }
  if (U_FAILURE(status)) return ascii::lower(word);
  decomposed.resize(static_cast<std::size_t>(length));
  std::u16string bare;
  bare.reserve(decomposed.size());
  for (int32_t i = 0; i < static_cast<int32_t>(decomposed.size());) {
    UChar32 c;
    U16_NEXT(decomposed.data(), i, static_cast<int32_t>(decomposed.size()), c);
    if ((U_GET_GC_MASK(c) & U_GC_M_MASK) != 0) continue;
    if (U_IS_BMP(c)) {
      bare.push_back(static_cast<char16_t>(c));
    } else {
      bare.push_back(static_cast<char16_t>(U16_LEAD(c)));
      bare.push_back(static_cast<char16_t>(U16_TRAIL(c)));
    }
  }

  // Case folding ("ß" -> "ss"), then Latin-ASCII for what is still not ASCII.
  std::u16string folded(bare.size() * 3 + 4, u'\0');
  length = u_strFoldCase(folded.data(), static_cast<int32_t>(folded.size()), bare.data(),
                         static_cast<int32_t>(bare.size()), U_FOLD_CASE_DEFAULT, &status);
  if (U_FAILURE(status)) return ascii::lower(word);
  folded.resize(static_cast<std::size_t>(length));
  const bool ascii_only = std::all_of(folded.begin(), folded.end(), [](char16_t c) { return c < 0x80; });
  if (!ascii_only) {
    if (UTransliterator* t = latin_ascii()) {
      // The transliterator may lengthen the text ("æ" -> "ae"): room for 4x.
      int32_t text_length = static_cast<int32_t>(folded.size());
      int32_t limit = text_length;
      folded.resize(folded.size() * 4 + 4);
      UErrorCode tstatus = U_ZERO_ERROR;
      utrans_transUChars(t, reinterpret_cast<UChar*>(folded.data()), &text_length,
                         static_cast<int32_t>(folded.size()), 0, &limit, &tstatus);
      if (U_SUCCESS(tstatus)) {
        folded.resize(static_cast<std::size_t>(text_length));
      } else {
        folded.resize(static_cast<std::size_t>(length));
      }
    }
  }

  std::string out(folded.size() * 3 + 4, '\0');
  int32_t out_length = 0;
  status = U_ZERO_ERROR;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &out_length,
              reinterpret_cast<UChar*>(folded.data()), static_cast<int32_t>(folded.size()), &status);
  if (U_FAILURE(status)) return ascii::lower(word);
  out.resize(static_cast<std::size_t>(out_length));
  return out;
}

// Splits text into words; see Word. Code points are decoded once; malformed
// UTF-8 counts as punctuation.
std::vector<Word> split_words(std::string_view text) {
  // Pass 1: maximal runs of letters and digits, and what separates each from
  // the next one.
  struct Run {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool ascii = true;
    Gap gap_after = Gap::other;
    char joiner = 0;
  };
  std::vector<Run> runs;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto size = static_cast<int32_t>(text.size());
  bool in_run = false;
  Run run;
  int gap_chars = 0;  // the gap after runs.back() so far
  bool gap_all_space = true;
  char gap_joiner = 0;
  for (int32_t i = 0; i < size;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, size, c);
    if (c >= 0 && is_word_char(c)) {
      if (!in_run) {
        if (!runs.empty()) {
          Run& previous = runs.back();
          if (gap_chars == 1 && gap_joiner != 0) {
            previous.gap_after = Gap::joiner;
            previous.joiner = gap_joiner;
          } else {
            previous.gap_after = gap_all_space ? Gap::space : Gap::other;
          }
        }
        run = Run{static_cast<std::size_t>(start), 0, true, Gap::other, 0};
        in_run = true;
      }
      if (c >= 0x80) run.ascii = false;
      continue;
    }
    if (in_run) {
      run.end = static_cast<std::size_t>(start);
      runs.push_back(run);
      in_run = false;
      gap_chars = 0;
      gap_all_space = true;
    }
    if (!runs.empty()) {
      ++gap_chars;
      if (c < 0 || !is_space_char(c)) gap_all_space = false;
      gap_joiner = gap_chars == 1 && c >= 0 ? joiner_of(c) : 0;
    }
  }
  if (in_run) {
    run.end = text.size();
    runs.push_back(run);
  }

  // An English possessive ("Smith's") is not part of the name: "'s" that
  // ends a word stays a word of its own.
  auto is_possessive = [&](std::size_t r) {
    if (runs[r].joiner != '\'' || r + 1 >= runs.size()) return false;
    const Run& next = runs[r + 1];
    return next.end - next.begin == 1 && (text[next.begin] == 's' || text[next.begin] == 'S') &&
           next.gap_after != Gap::joiner;
  };

  // Pass 2: runs joined by a joiner make one word.
  std::vector<Word> words;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    Word word;
    word.begin = runs[r].begin;
    Gap gap = Gap::other;
    for (;; ++r) {
      const std::string_view piece = text.substr(runs[r].begin, runs[r].end - runs[r].begin);
      word.folded += runs[r].ascii ? ascii::lower(piece) : fold_non_ascii(piece);
      if (runs[r].gap_after != Gap::joiner) {
        gap = runs[r].gap_after;
        break;
      }
      if (is_possessive(r)) break;  // gap stays `other`: the apostrophe ends the name
      word.folded += runs[r].joiner;
    }
    word.end = runs[r].end;
    word.gap_after = gap;
    words.push_back(std::move(word));
  }
  return words;
}

// German umlauts written out (ä -> ae ...), NFC forms only: stored names are
// normally composed.
std::string spell_out_umlauts(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kUmlauts[] = {
      {"\xC3\xA4", "ae"}, {"\xC3\xB6", "oe"}, {"\xC3\xBC", "ue"},
      {"\xC3\x84", "Ae"}, {"\xC3\x96", "Oe"}, {"\xC3\x9C", "Ue"}};
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [from, to] : kUmlauts) {
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

// Every way to spell a sequence of words, each word in one of its spellings
// (bounded: a name has few words with umlauts).
constexpr std::size_t kMaxSpellings = 16;

void add_spellings(const std::vector<const std::vector<std::string>*>& words,
                   std::vector<std::string>& keys) {
  std::vector<std::string> partial = {""};
  for (const auto* spellings : words) {
    std::vector<std::string> next;
    for (const auto& prefix : partial)
      for (const auto& spelling : *spellings)
        if (next.size() < kMaxSpellings) next.push_back(prefix.empty() ? spelling : prefix + ' ' + spelling);
    partial = std::move(next);
  }
  keys.insert(keys.end(), partial.begin(), partial.end());
}

}  // namespace

std::string fold_word(std::string_view word) {
  const bool is_ascii =
      std::all_of(word.begin(), word.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return is_ascii ? ascii::lower(word) : fold_non_ascii(word);
}

std::string name_key(std::string_view name) {
  std::string key;
  for (const Word& w : split_words(name)) {
    if (!key.empty()) key += ' ';
    key += w.folded;
  }
  return key;
}

std::vector<std::string> name_keys(std::string_view stored_name) {
  const std::vector<Word> words = split_words(stored_name);
  // Each word's spellings: folded as written, and with umlauts spelled out.
  std::vector<std::vector<std::string>> spellings;
  for (const Word& w : words) {
    spellings.push_back({w.folded});
    const std::string_view raw = stored_name.substr(w.begin, w.end - w.begin);
    const std::string spelled = spell_out_umlauts(raw);
    if (spelled != raw) {
      std::string folded = name_key(spelled);
      if (folded != w.folded) spellings.back().push_back(std::move(folded));
    }
  }
  // Parts: runs of words separated by white space only.
  std::vector<std::vector<std::size_t>> parts(1);
  for (std::size_t i = 0; i < words.size(); ++i) {
    parts.back().push_back(i);
    if (words[i].gap_after == Gap::other) parts.emplace_back();
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();

  // Word sequences under which the name is known (see identifiers.hpp).
  std::vector<std::vector<std::size_t>> sequences;
  if (!parts.empty()) {
    std::vector<std::size_t> all;
    for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
    sequences.push_back(all);
    if (parts.size() == 2) {
      std::vector<std::size_t> swapped = parts[1];
      swapped.insert(swapped.end(), parts[0].begin(), parts[0].end());
      sequences.push_back(swapped);
    }
    if (parts.size() > 1)
      for (const auto& part : parts)
        if (part.size() >= 2) sequences.push_back(part);
  }
  std::vector<std::string> keys;
  for (const auto& sequence : sequences) {
    if (sequence.size() > kMaxNameWords) continue;
    std::vector<const std::vector<std::string>*> in_order;
    for (std::size_t i : sequence) in_order.push_back(&spellings[i]);
    add_spellings(in_order, keys);
    if (sequence.size() == 2) add_spellings({in_order[1], in_order[0]}, keys);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string_view name_key_first_word(std::string_view key) noexcept { return key.substr(0, key.find(' ')); }

std::vector<Match> find_names(std::string_view text, NameDirectory& directory) {
  std::vector<Match> found;
  const std::vector<Word> words = split_words(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (!directory.starts_name(words[i].folded)) continue;
    std::string key = words[i].folded;
    std::size_t best = words.size();
    std::string best_key;
    if (directory.is_name(key)) {
      best = i;
      best_key = key;
    }
    for (std::size_t j = i + 1; j < words.size() && j - i < kMaxNameWords; ++j) {
      if (words[j - 1].gap_after != Gap::space) break;
      key += ' ';
      key += words[j].folded;
      if (directory.is_name(key)) {
        best = j;
        best_key = key;
      }
    }
    if (best == words.size()) continue;
    found.push_back(
        Match{Identifier{Kind::name, std::move(best_key)}, words[i].begin, words[best].end - words[i].begin});
    i = best;
  }
  return found;
}

}  // namespace gdpr::identifiers
