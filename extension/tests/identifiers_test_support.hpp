// Helpers shared by the identifier recogniser's unit tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "identifiers/identifiers.hpp"

namespace gdpr::identifiers::testing {

inline constexpr std::string_view kRegion = "SK";

// normalize() as "kind:value", or "none": one string per expectation keeps
// failures readable.
inline std::string classify(std::string_view value, std::string_view region = kRegion) {
  auto id = normalize(value, region);
  if (!id) return "none";
  return std::string(kind_name(id->kind)) + ":" + id->value;
}

// find_in_text() as "kind:value@offset+length ..." in order.
inline std::string found(std::string_view text, std::string_view region = kRegion) {
  std::string out;
  for (const auto& m : find_in_text(text, region)) {
    if (!out.empty()) out += ' ';
    out += std::string(kind_name(m.id.kind)) + ":" + m.id.value + "@" + std::to_string(m.offset) + "+" +
           std::to_string(m.length);
  }
  return out;
}

}  // namespace gdpr::identifiers::testing
