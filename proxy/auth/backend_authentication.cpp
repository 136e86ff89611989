#include "auth/backend_authentication.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/scram.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

wire::Bytes sasl_response(std::string_view data) {
  wire::MessageBuilder builder('p');
  builder.body().bytes(wire::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  return std::move(builder).finish();
}

BackendAuthResult broken(BackendAuthResult& result, const std::string& role, std::string_view what) {
  spdlog::error("backend login as {}: {}", role, what);
  result.status = BackendAuthResult::Status::refused;
  result.error = protocol::ProtocolError{protocol::sqlstate::kProtocolViolation,
                                         "the database server sent an invalid message",
                                         "The proxy closed the connection; its log has the details."};
  return std::move(result);
}

}  // namespace

asio::awaitable<BackendAuthResult> complete_backend_authentication(Transport& server, const std::string& role,
                                                                   const std::optional<std::string>& password,
                                                                   std::uint32_t max_message_bytes) {
  BackendAuthResult result;
  std::optional<scram::ClientExchange> scram_client;
  wire::Bytes buffer;
  wire::Bytes notices;
  for (;;) {
    auto read = co_await read_whole_message(server, buffer, max_message_bytes);
    if (read.violation) {
      spdlog::error("backend login as {}: the server broke the protocol: {}", role, read.violation->message);
      result.status = BackendAuthResult::Status::refused;
      result.error = protocol::ProtocolError{protocol::sqlstate::kProtocolViolation,
                                             "the database server sent an invalid message",
                                             "The proxy closed the connection; its log has the details."};
      co_return result;
    }
    if (!read.message) {
      result.status = BackendAuthResult::Status::server_closed;
      co_return result;
    }
    const auto& message = *read.message;
    switch (message.type) {
      case 'R': {
        wire::Reader reader(message.body);
        const auto code = reader.u32();
        if (code && *code == static_cast<std::uint32_t>(AuthCode::ok) && reader.at_end()) {
          result.status = BackendAuthResult::Status::ok;
          // Notices the server sent before it: the client may as well see them.
          result.pending = std::move(notices);
          result.pending.insert(result.pending.end(), buffer.begin(), buffer.end());
          co_return result;
        }
        const auto data = std::string(message.body.begin() + (code ? 4 : 0), message.body.end());
        if (code && *code == static_cast<std::uint32_t>(AuthCode::sasl) && password) {
          // The mechanism list: C strings up to an empty one.
          bool offers_scram = false;
          while (auto mechanism = reader.cstring()) {
            if (mechanism->empty()) break;
            offers_scram = offers_scram || *mechanism == scram::kMechanism;
          }
          if (offers_scram) {
            scram_client.emplace(*password);
            const auto first =
                SaslInitialResponse{std::string(scram::kMechanism), scram_client->client_first()}.serialize();
            if (auto [ec, n] = co_await server.write(asio::buffer(first)); ec) {
              result.status = BackendAuthResult::Status::server_closed;
              co_return result;
            }
            break;
          }
        }
        if (code && *code == static_cast<std::uint32_t>(AuthCode::sasl_continue) && scram_client) {
          const auto final_message = scram_client->client_final(data);
          if (!final_message) {
            co_return broken(result, role, "invalid SCRAM server-first-message");
          }
          const auto response = sasl_response(*final_message);
          if (auto [ec, n] = co_await server.write(asio::buffer(response)); ec) {
            result.status = BackendAuthResult::Status::server_closed;
            co_return result;
          }
          break;
        }
        if (code && *code == static_cast<std::uint32_t>(AuthCode::sasl_final) && scram_client) {
          // Mutual authentication: the server must prove it knows the verifier.
          if (!scram_client->verify_server_final(data)) {
            co_return broken(result, role, "the server's SCRAM signature is wrong");
          }
          break;
        }
        const auto method = code ? auth_method_name(*code) : std::string_view("unknown");
        const bool scram_without_password =
            code && *code == static_cast<std::uint32_t>(AuthCode::sasl) && !password;
        spdlog::error("backend login as {}: the server asks for {} authentication, which gdpr-proxy {}", role,
                      method,
                      scram_without_password ? "cannot answer without a [server] passfile entry for the role"
                                             : "does not support");
        result.status = BackendAuthResult::Status::refused;
        result.error = protocol::ProtocolError{
            protocol::sqlstate::kInvalidAuthorization,
            scram_without_password
                ? fmt::format(
                      "the database server asks gdpr-proxy for a password for role \"{}\", and the proxy has "
                      "none",
                      role)
                : fmt::format(
                      "the database server asks gdpr-proxy for {} authentication of role \"{}\", which the "
                      "proxy does not support",
                      method, role),
            "Let the proxy log in to the gdpr_policy_* roles with trust or cert in pg_hba.conf, or with "
            "scram-sha-256 and a [server] passfile entry for the role."};
        co_return result;
      }
      case 'E':
        result.status = BackendAuthResult::Status::server_error;
        result.server_message = std::move(notices);
        {
          const auto raw = message.raw();
          result.server_message.insert(result.server_message.end(), raw.begin(), raw.end());
        }
        co_return result;
      case 'N': {
        const auto raw = message.raw();
        notices.insert(notices.end(), raw.begin(), raw.end());
        break;
      }
      case 'v':
        // NegotiateProtocolVersion: the proxy asks for 3.0 with no _pq_ options; nothing to adapt.
        break;
      default:
        spdlog::error("backend login as {}: unexpected message type '{}' before authentication completed",
                      role, static_cast<char>(message.type));
        result.status = BackendAuthResult::Status::refused;
        result.error = protocol::ProtocolError{protocol::sqlstate::kProtocolViolation,
                                               "the database server sent an invalid message",
                                               "The proxy closed the connection; its log has the details."};
        co_return result;
    }
  }
}

}  // namespace gdpr::proxy
