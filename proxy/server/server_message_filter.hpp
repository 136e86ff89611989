#pragma once
// The server side of a session, between PostgreSQL and the client:
//   - BackendKeyData is replaced by the proxy's own key (BackendKeyInterceptor);
//   - ParameterStatus standard_conforming_strings is noted for the rewriter;
//   - the proxy's own refusals lose the fields that point into the statement
//     the proxy substituted (position, internal query, PL/pgSQL context);
//   - in masked sessions, error and notice fields that may echo stored values
//     are scrubbed: DETAIL of integrity and data errors ("Key (email)=(...)
//     already exists", "Failing row contains (...)"), quoted values in their
//     messages ("invalid input syntax for type integer: \"...\"") and the
//     CONTEXT and WHERE lines that quote input ("COPY calls, line 1, column
//     caller: \"...\"").

#include <cstdint>
#include <memory>

#include "protocol/field_message.hpp"
#include "server/backend_key_interceptor.hpp"
#include "server/relay.hpp"
#include "server/statement_interceptor.hpp"

namespace gdpr::proxy {

struct ServerFilterOptions {
  bool track_session_state = false;  // proxy users: feed StatementSessionState
  bool scrub_values = false;         // masked policies
};

class ServerMessageFilter final : public MessageInterceptor {
 public:
  ServerMessageFilter(BackendKeyInterceptor& keys, StatementSessionState* state, ServerFilterOptions options)
      : keys_(keys), state_(state), options_(options) {}

  bool wants_whole(std::uint8_t type) const override {
    return type == 'E' || type == 'N' || (options_.track_session_state && type == 'S');
  }
  // Errors and notices are short; a larger one is replaced (see oversized()).
  std::size_t max_whole_bytes() const override { return 1u << 20; }
  std::optional<wire::Bytes> intercept(const protocol::MessageHeader& header, wire::ByteView raw) override;
  wire::Bytes oversized(const protocol::MessageHeader& header) override;

 private:
  BackendKeyInterceptor& keys_;
  StatementSessionState* state_;
  ServerFilterOptions options_;
};

// Scrubs one error or notice in place (as described above); true when
// something changed. Exposed for the unit tests.
bool scrub_fields(protocol::FieldMessage& message, bool scrub_values);

}  // namespace gdpr::proxy
