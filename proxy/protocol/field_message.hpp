#pragma once
// ErrorResponse and NoticeResponse as their list of (field code, value)
// pairs, in order, so the proxy can change one field and re-send the rest
// exactly as the server wrote them.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/wire.hpp"

namespace gdpr::proxy::protocol {

struct FieldMessage {
  char type = 'E';  // 'E' or 'N'
  std::vector<std::pair<char, std::string>> fields;

  // `raw` includes the 5-byte header; nullopt when malformed.
  static std::optional<FieldMessage> parse(wire::ByteView raw);
  wire::Bytes serialize() const;

  const std::string* find(char code) const;
  void set(char code, std::string value);  // replaces, or appends when absent
  void erase(char code);
};

}  // namespace gdpr::proxy::protocol
