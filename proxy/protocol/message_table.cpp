#include "protocol/message_table.hpp"

#include <array>

namespace gdpr::proxy::protocol {
namespace {

constexpr auto kAny = std::nullopt;

// https://www.postgresql.org/docs/15/protocol-message-formats.html
constexpr std::array<MessageFormat, 14> kFrontendMessages{{
    {'B', "Bind", "String portal, String statement, Int16[] formats, Int32+Byte[] params, Int16[] results", 4,
     kAny, BodyAccess::stream},
    {'C', "Close", "Byte1 kind, String name", 2, kAny, BodyAccess::stream},
    {'d', "CopyData", "Byte[] data", 0, kAny, BodyAccess::stream},
    {'c', "CopyDone", "", 0, 0, BodyAccess::stream},
    {'f', "CopyFail", "String reason", 1, kAny, BodyAccess::stream},
    {'D', "Describe", "Byte1 kind, String name", 2, kAny, BodyAccess::stream},
    {'E', "Execute", "String portal, Int32 max_rows", 5, kAny, BodyAccess::stream},
    {'H', "Flush", "", 0, 0, BodyAccess::stream},
    {'F', "FunctionCall", "Int32 oid, Int16[] formats, Int32+Byte[] args, Int16 result_format", 10, kAny,
     BodyAccess::stream},
    {'P', "Parse", "String statement, String query, Int16 n, Int32[n] param_types", 4, kAny,
     BodyAccess::stream},
    // PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share 'p'.
    {'p', "PasswordMessage", "Byte[] authentication data", 0, kAny, BodyAccess::stream},
    {'Q', "Query", "String query", 1, kAny, BodyAccess::stream},
    {'S', "Sync", "", 0, 0, BodyAccess::stream},
    {'X', "Terminate", "", 0, 0, BodyAccess::stream},
}};

constexpr std::array<MessageFormat, 24> kBackendMessages{{
    {'R', "Authentication", "Int32 kind, Byte[] data", 4, kAny, BodyAccess::stream},
    // Whole: the proxy replaces the server's key with its own.
    {'K', "BackendKeyData", "Int32 process_id, Int32 secret_key", 8, 8, BodyAccess::whole},
    {'2', "BindComplete", "", 0, 0, BodyAccess::stream},
    {'3', "CloseComplete", "", 0, 0, BodyAccess::stream},
    {'C', "CommandComplete", "String tag", 1, kAny, BodyAccess::stream},
    {'d', "CopyData", "Byte[] data", 0, kAny, BodyAccess::stream},
    {'c', "CopyDone", "", 0, 0, BodyAccess::stream},
    {'G', "CopyInResponse", "Int8 format, Int16 n, Int16[n] formats", 3, kAny, BodyAccess::stream},
    {'H', "CopyOutResponse", "Int8 format, Int16 n, Int16[n] formats", 3, kAny, BodyAccess::stream},
    {'W', "CopyBothResponse", "Int8 format, Int16 n, Int16[n] formats", 3, kAny, BodyAccess::stream},
    {'D', "DataRow", "Int16 n, (Int32 len, Byte[len])[n]", 2, kAny, BodyAccess::stream},
    {'I', "EmptyQueryResponse", "", 0, 0, BodyAccess::stream},
    {'E', "ErrorResponse", "(Byte1 field, String value)*, Byte1 0", 1, kAny, BodyAccess::stream},
    {'V', "FunctionCallResponse", "Int32 len, Byte[len] result", 4, kAny, BodyAccess::stream},
    {'v', "NegotiateProtocolVersion", "Int32 minor, Int32 n, String[n] options", 8, kAny, BodyAccess::stream},
    {'n', "NoData", "", 0, 0, BodyAccess::stream},
    {'N', "NoticeResponse", "(Byte1 field, String value)*, Byte1 0", 1, kAny, BodyAccess::stream},
    {'A', "NotificationResponse", "Int32 pid, String channel, String payload", 6, kAny, BodyAccess::stream},
    {'t', "ParameterDescription", "Int16 n, Int32[n] types", 2, kAny, BodyAccess::stream},
    {'S', "ParameterStatus", "String name, String value", 2, kAny, BodyAccess::stream},
    {'1', "ParseComplete", "", 0, 0, BodyAccess::stream},
    {'s', "PortalSuspended", "", 0, 0, BodyAccess::stream},
    {'Z', "ReadyForQuery", "Byte1 status", 1, 1, BodyAccess::stream},
    {'T', "RowDescription", "Int16 n, (String name, Int32, Int16, Int32, Int16, Int32, Int16)[n]", 2, kAny,
     BodyAccess::stream},
}};

// A 256-entry index per direction, built once at compile time, so lookup on
// the hot path is one array access.
template <std::size_t N>
constexpr std::array<const MessageFormat*, 256> index_of(const std::array<MessageFormat, N>& formats) {
  std::array<const MessageFormat*, 256> index{};
  for (const auto& f : formats) index[static_cast<std::uint8_t>(f.type)] = &f;
  return index;
}

constexpr auto kFrontendIndex = index_of(kFrontendMessages);
constexpr auto kBackendIndex = index_of(kBackendMessages);

static_assert(kBackendIndex['K']->max_body.value() <= kMaxWholeBody);

}  // namespace

const MessageFormat* find_message_format(Direction direction, std::uint8_t type) {
  return direction == Direction::frontend ? kFrontendIndex[type] : kBackendIndex[type];
}

std::string_view direction_name(Direction direction) {
  return direction == Direction::frontend ? "client" : "server";
}

}  // namespace gdpr::proxy::protocol
