#pragma once
// A violation of the wire protocol found while decoding. It always carries the
// SQLSTATE the proxy reports to the client (class 08: connection exception,
// or 28000 where PostgreSQL itself uses it), so no error path can forget one.

#include <string>

namespace gdpr::proxy::protocol {

namespace sqlstate {
inline constexpr const char* kProtocolViolation = "08P01";
inline constexpr const char* kConnectionFailure = "08006";
inline constexpr const char* kConnectionException = "08000";
inline constexpr const char* kInvalidAuthorization = "28000";
inline constexpr const char* kTooManyConnections = "53300";
inline constexpr const char* kInvalidCatalogName = "3D000";
inline constexpr const char* kFeatureNotSupported = "0A000";
inline constexpr const char* kAdminShutdown = "57P01";
}  // namespace sqlstate

struct ProtocolError {
  std::string sqlstate;
  std::string message;
  std::string hint;
};

}  // namespace gdpr::proxy::protocol
