#include "auth/authenticator.hpp"

namespace gdpr::proxy {

asio::awaitable<AuthOutcome> PassthroughAuthenticator::authenticate(Transport& /*client*/,
                                                                    const protocol::StartupMessage& startup) {
  AuthOutcome outcome;
  outcome.login = BackendLogin{startup, true, startup.user()};
  co_return outcome;
}

}  // namespace gdpr::proxy
