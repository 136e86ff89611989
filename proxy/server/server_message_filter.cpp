#include "server/server_message_filter.hpp"

#include "rewrite/refusal.hpp"

namespace gdpr::proxy {
namespace {

constexpr const char* kHidden = "[hidden by gdpr-proxy]";

// Replaces every "..." in `text` by "[hidden by gdpr-proxy]".
bool hide_quoted(std::string& text) {
  bool changed = false;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '"') {
      out += text[i];
      continue;
    }
    const auto close = text.find('"', i + 1);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += '"';
    out += kHidden;
    out += '"';
    i = close;
    changed = true;
  }
  if (changed) text = std::move(out);
  return changed;
}

// Class 22 (data exception) and 23 (integrity constraint violation) quote
// values: the input that failed, the key that clashed, the failing row.
bool quotes_values(const std::string& sqlstate) {
  return sqlstate.starts_with("22") || sqlstate.starts_with("23");
}

}  // namespace

bool scrub_fields(protocol::FieldMessage& message, bool scrub_values) {
  const std::string* text = message.find('M');
  if (text && text->starts_with(rewrite::kRefusalPrefix)) {
    // Our own refusal: its position and context point into the substitute.
    const std::size_t before = message.fields.size();
    message.erase('P');
    message.erase('q');
    message.erase('p');
    message.erase('W');
    return message.fields.size() != before;
  }
  if (!scrub_values) return false;
  bool changed = false;
  const std::string* code = message.find('C');
  if (code && quotes_values(*code)) {
    if (message.find('D')) {
      message.set('D', "Details that may contain personal data are hidden by gdpr-proxy.");
      changed = true;
    }
    for (auto& [field, value] : message.fields) {
      if (field == 'M' || field == 'W') changed |= hide_quoted(value);
    }
  } else if (const std::string* detail = message.find('D');
             detail && (detail->find(")=(") != std::string::npos ||
                        detail->find("Failing row contains") != std::string::npos)) {
    message.set('D', "Details that may contain personal data are hidden by gdpr-proxy.");
    changed = true;
  }
  return changed;
}

std::optional<wire::Bytes> ServerMessageFilter::intercept(const protocol::MessageHeader& header,
                                                          wire::ByteView raw) {
  const char type = static_cast<char>(raw[0]);
  if (type == 'K') return keys_.intercept(header, raw);
  if (type == 'S') {
    wire::Reader reader(raw.subspan(protocol::kMessageHeaderSize));
    const auto name = reader.cstring();
    const auto value = reader.cstring();
    if (state_ && name && value && *name == "standard_conforming_strings") {
      state_->standard_conforming_strings.store(*value == "on", std::memory_order_relaxed);
    }
    if (state_ && name && value && *name == "client_encoding") {
      state_->client_encoding_safe.store(client_encoding_is_safe(*value), std::memory_order_relaxed);
    }
    return std::nullopt;
  }
  auto message = protocol::FieldMessage::parse(raw);
  if (!message) return std::nullopt;  // the decoder already checked the framing; pass it on
  if (!scrub_fields(*message, options_.scrub_values)) return std::nullopt;
  return message->serialize();
}

wire::Bytes ServerMessageFilter::oversized(const protocol::MessageHeader& header) {
  if (header.format->type == 'E') {
    // Unreadable at this size: the client still learns that the statement failed.
    protocol::FieldMessage error;
    error.type = 'E';
    error.fields = {
        {'S', "ERROR"},
        {'V', "ERROR"},
        {'C', "XX000"},
        {'M', "the server sent an error message too long for gdpr-proxy to check; it was dropped"}};
    return error.serialize();
  }
  return {};  // a notice or parameter status that large is dropped
}

}  // namespace gdpr::proxy
