#pragma once
// Replaces the server's BackendKeyData with a key the proxy issues, and
// registers the mapping so the proxy can route the client's CancelRequest.
// The server's real key therefore never reaches the client.

#include <optional>

#include "server/cancel_registry.hpp"
#include "server/relay.hpp"

namespace gdpr::proxy {

class BackendKeyInterceptor final : public MessageInterceptor {
 public:
  BackendKeyInterceptor(CancelRegistry& registry, tcp::endpoint server)
      : registry_(registry), server_(server) {}

  std::optional<wire::Bytes> intercept(const protocol::MessageHeader& header, wire::ByteView raw) override;

  // The key issued to the client (zero before the server sent its key).
  const BackendKey& issued_key() const { return registration_.proxy_key(); }

 private:
  CancelRegistry& registry_;
  tcp::endpoint server_;
  // Lives as long as the session: the key is unregistered when it ends.
  CancelRegistry::Registration registration_;
};

}  // namespace gdpr::proxy
