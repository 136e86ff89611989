#include "auth/authenticator.hpp"

namespace gdpr::proxy {

asio::awaitable<AuthOutcome> PassthroughAuthenticator::authenticate(Transport& /*client*/,
                                                                    const protocol::StartupMessage& startup,
                                                                    wire::Bytes& /*pending*/) {
  AuthOutcome outcome;
  outcome.login = BackendLogin{startup, true, startup.user(), std::nullopt, {}, nullptr};
  co_return outcome;
}

}  // namespace gdpr::proxy
