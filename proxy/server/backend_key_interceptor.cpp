#include "server/backend_key_interceptor.hpp"

#include "protocol/messages.hpp"

namespace gdpr::proxy {

std::optional<wire::Bytes> BackendKeyInterceptor::intercept(const protocol::MessageHeader& header,
                                                            wire::ByteView raw) {
  if (header.format->type != 'K') return std::nullopt;
  // The message table fixes the body at 8 bytes, so parse cannot fail here.
  const auto server_key = protocol::BackendKeyData::parse(raw.subspan(protocol::kMessageHeaderSize)).value();
  registration_ = registry_.add({{server_key.process_id, server_key.secret_key}, server_});
  const auto& key = registration_.proxy_key();
  return protocol::BackendKeyData{key.process_id, key.secret_key}.serialize();
}

}  // namespace gdpr::proxy
