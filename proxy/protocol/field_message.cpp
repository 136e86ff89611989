#include "protocol/field_message.hpp"

#include <algorithm>

namespace gdpr::proxy::protocol {

std::optional<FieldMessage> FieldMessage::parse(wire::ByteView raw) {
  if (raw.size() < 6) return std::nullopt;
  FieldMessage message;
  message.type = static_cast<char>(raw[0]);
  wire::Reader reader(raw.subspan(5));
  for (;;) {
    const auto code = reader.u8();
    if (!code) return std::nullopt;
    if (*code == 0) break;
    auto value = reader.cstring();
    if (!value) return std::nullopt;
    message.fields.emplace_back(static_cast<char>(*code), std::move(*value));
  }
  if (!reader.at_end()) return std::nullopt;
  return message;
}

wire::Bytes FieldMessage::serialize() const {
  wire::MessageBuilder builder(type);
  auto body = builder.body();
  for (const auto& [code, value] : fields) {
    body.u8(static_cast<std::uint8_t>(code));
    body.cstring(value);
  }
  body.u8(0);
  return std::move(builder).finish();
}

const std::string* FieldMessage::find(char code) const {
  for (const auto& [c, value] : fields) {
    if (c == code) return &value;
  }
  return nullptr;
}

void FieldMessage::set(char code, std::string value) {
  for (auto& [c, v] : fields) {
    if (c == code) {
      v = std::move(value);
      return;
    }
  }
  fields.emplace_back(code, std::move(value));
}

void FieldMessage::erase(char code) {
  fields.erase(
      std::remove_if(fields.begin(), fields.end(), [code](const auto& f) { return f.first == code; }),
      fields.end());
}

}  // namespace gdpr::proxy::protocol
