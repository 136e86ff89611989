#include "protocol/messages.hpp"

#include <stdexcept>

namespace gdpr::proxy::protocol {

wire::Bytes BackendKeyData::serialize() const {
  wire::MessageBuilder builder('K');
  auto body = builder.body();
  body.u32(process_id);
  body.u32(secret_key);
  return std::move(builder).finish();
}

std::optional<BackendKeyData> BackendKeyData::parse(wire::ByteView body) {
  wire::Reader reader(body);
  auto pid = reader.u32();
  auto secret = reader.u32();
  if (!pid || !secret || !reader.at_end()) return std::nullopt;
  return BackendKeyData{*pid, *secret};
}

ErrorResponse::ErrorResponse(Severity severity_, std::string sqlstate_, std::string message_,
                             std::string detail_, std::string hint_)
    : severity(severity_),
      sqlstate(std::move(sqlstate_)),
      message(std::move(message_)),
      detail(std::move(detail_)),
      hint(std::move(hint_)) {
  if (sqlstate.size() != 5) throw std::invalid_argument("ErrorResponse needs a five-character SQLSTATE");
}

ErrorResponse ErrorResponse::fatal(const ProtocolError& error) {
  return ErrorResponse(Severity::fatal, error.sqlstate, error.message, {}, error.hint);
}

wire::Bytes ErrorResponse::serialize() const {
  wire::MessageBuilder builder('E');
  auto body = builder.body();
  const char* level = severity == Severity::fatal ? "FATAL" : "ERROR";
  body.u8('S');
  body.cstring(level);
  body.u8('V');  // the non-localised severity (protocol 3.0, PostgreSQL 9.6+)
  body.cstring(level);
  body.u8('C');
  body.cstring(sqlstate);
  body.u8('M');
  body.cstring(message);
  if (!detail.empty()) {
    body.u8('D');
    body.cstring(detail);
  }
  if (!hint.empty()) {
    body.u8('H');
    body.cstring(hint);
  }
  body.u8(0);
  return std::move(builder).finish();
}

std::optional<ErrorResponse> ErrorResponse::parse(wire::ByteView body) {
  wire::Reader reader(body);
  std::string severity, code, message, detail, hint;
  for (;;) {
    auto field = reader.u8();
    if (!field) return std::nullopt;
    if (*field == 0) break;
    auto value = reader.cstring();
    if (!value) return std::nullopt;
    switch (*field) {
      case 'V':
        severity = *value;
        break;
      case 'S':
        if (severity.empty()) severity = *value;
        break;
      case 'C':
        code = *value;
        break;
      case 'M':
        message = *value;
        break;
      case 'D':
        detail = *value;
        break;
      case 'H':
        hint = *value;
        break;
      default:
        break;  // other fields (position, context, ...) are kept by the relay, not here
    }
  }
  if (!reader.at_end() || code.size() != 5) return std::nullopt;
  const auto level = (severity == "FATAL" || severity == "PANIC") ? Severity::fatal : Severity::error;
  return ErrorResponse(level, std::move(code), std::move(message), std::move(detail), std::move(hint));
}

}  // namespace gdpr::proxy::protocol
