// CatalogAuthenticator over real loopback sockets: a scripted client speaks
// the authentication phase byte for byte as libpq would, and the outcome
// (backend login or FATAL with its SQLSTATE) is checked, including the delay
// of failed logins and the start-up message sent to the server.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "auth/auth_wire.hpp"
#include "auth/catalog_authenticator.hpp"
#include "server/transport.hpp"

namespace gdpr::proxy {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAnnaVerifier =
    "SCRAM-SHA-256$4096:hh2cusA+1HnTuGy8zN3Aug==$Rk9nEWPqdBzKsKqYPMAJwsoQHb+3SOY7kP0vgUw2SsI=:"
    "aFpqRuLifHfFvyeq2Wu1+wGyJe0hia3LAH62FVVu6Jc=";  // password "anna", written by PostgreSQL

std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket a(io), b(io);
  a.connect(acceptor.local_endpoint());
  acceptor.accept(b);
  return {std::move(a), std::move(b)};
}

DirectoryUser anna() {
  DirectoryUser user;
  user.name = "anna";
  user.policy = "agent";
  user.backend_role = "gdpr_policy_agent";
  user.view_schema = "gdpr_mask_agent";
  user.verifier = scram::Verifier::parse(kAnnaVerifier);
  return user;
}

std::shared_ptr<UserDirectory> directory_with(std::vector<DirectoryUser> users) {
  auto directory = std::make_shared<Directory>();
  for (auto& u : users) {
    auto name = u.name;
    directory->users.emplace(std::move(name), std::move(u));
  }
  auto holder = std::make_shared<UserDirectory>();
  holder->replace(std::move(directory));
  return holder;
}

protocol::StartupMessage startup(std::string user,
                                 std::vector<std::pair<std::string, std::string>> extra = {}) {
  protocol::StartupMessage m;
  m.parameters = {{"user", std::move(user)}, {"database", "gdpr_demo"}};
  for (auto& p : extra) m.parameters.push_back(std::move(p));
  return m;
}

// What the client saw and what the authenticator decided.
struct Result {
  AuthOutcome outcome;
  std::chrono::steady_clock::duration took{};
  std::vector<WholeMessage> client_received;
};

// The scripted client: given the messages received so far, returns the next
// bytes to send (empty: stop sending and wait for the end).
using ClientScript = std::function<wire::Bytes(const std::vector<WholeMessage>&)>;

Result run(CatalogAuthenticator& authenticator, const protocol::StartupMessage& message,
           ClientScript script) {
  asio::io_context io;
  auto [proxy_side, client_side] = socket_pair(io);
  Transport proxy_transport(std::move(proxy_side));
  Transport client_transport(std::move(client_side));
  Result result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        wire::Bytes pending;
        const auto start = std::chrono::steady_clock::now();
        result.outcome = co_await authenticator.authenticate(proxy_transport, message, pending);
        result.took = std::chrono::steady_clock::now() - start;
        proxy_transport.close();
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        wire::Bytes buffer;
        for (;;) {
          auto read = co_await read_whole_message(client_transport, buffer, 1 << 16);
          if (!read.message) co_return;
          result.client_received.push_back(*read.message);
          const auto& last = result.client_received.back();
          if (last.type != 'R') continue;
          auto reply = script(result.client_received);
          if (!reply.empty()) co_await client_transport.write(asio::buffer(reply));
        }
      },
      asio::detached);
  io.run();
  return result;
}

std::uint32_t auth_code(const WholeMessage& m) { return wire::load_u32(m.body.data()); }
std::string auth_data(const WholeMessage& m) { return std::string(m.body.begin() + 4, m.body.end()); }

wire::Bytes sasl_response(std::string_view data) {
  wire::MessageBuilder builder('p');
  builder.body().bytes(wire::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  return std::move(builder).finish();
}

// libpq's side of SCRAM with `password`.
ClientScript libpq_like(std::string password) {
  auto client = std::make_shared<scram::ClientExchange>(std::move(password));
  return [client](const std::vector<WholeMessage>& received) -> wire::Bytes {
    const auto& last = received.back();
    switch (auth_code(last)) {
      case 10:
        return SaslInitialResponse{"SCRAM-SHA-256", client->client_first()}.serialize();
      case 11:
        return sasl_response(client->client_final(auth_data(last)).value_or("garbage"));
      default:
        return {};
    }
  };
}

AuthSettings fast_settings(bool passthrough = false) {
  AuthSettings s;
  s.passthrough_unknown_users = passthrough;
  s.failure_delay = 300ms;
  return s;
}

TEST(CatalogAuthenticator, RightPasswordLogsInAsThePolicyRoleWithTheActor) {
  CatalogAuthenticator auth(directory_with({anna()}), fast_settings());
  const auto r =
      run(auth, startup("anna", {{"application_name", "crm"}, {"search_path", "evil"}}), libpq_like("anna"));
  ASSERT_TRUE(r.outcome.login.has_value()) << r.outcome.error.message;
  const auto& login = *r.outcome.login;
  EXPECT_FALSE(login.relay_server_authentication);
  EXPECT_EQ(login.actor, "anna");
  EXPECT_EQ(login.startup.user(), "gdpr_policy_agent");
  EXPECT_EQ(login.startup.database(), "gdpr_demo");
  EXPECT_EQ(login.startup.parameter("application_name"), "crm");
  EXPECT_EQ(login.startup.parameter("search_path"), "");  // client settings are not forwarded
  EXPECT_EQ(login.startup.parameter("options"), "-c gdpr.actor=anna -c search_path=gdpr_mask_agent,public");
  // AuthenticationSASL, SASLContinue, SASLFinal, AuthenticationOk.
  ASSERT_EQ(r.client_received.size(), 4u);
  EXPECT_EQ(auth_code(r.client_received[0]), 10u);
  EXPECT_EQ(auth_data(r.client_received[0]), std::string("SCRAM-SHA-256\0\0", 15));
  EXPECT_EQ(auth_code(r.client_received[1]), 11u);
  EXPECT_EQ(auth_code(r.client_received[2]), 12u);
  EXPECT_EQ(auth_code(r.client_received[3]), 0u);
}

void expect_password_failure(const Result& r, const std::string& user) {
  ASSERT_FALSE(r.outcome.login.has_value());
  EXPECT_EQ(r.outcome.error.sqlstate, "28P01");
  EXPECT_EQ(r.outcome.error.message, "password authentication failed for user \"" + user + "\"");
  EXPECT_GE(r.took, 300ms);
  // The client never got AuthenticationOk.
  for (const auto& m : r.client_received) EXPECT_NE(auth_code(m), 0u);
}

TEST(CatalogAuthenticator, WrongPasswordFailsSlowly) {
  CatalogAuthenticator auth(directory_with({anna()}), fast_settings());
  expect_password_failure(run(auth, startup("anna"), libpq_like("boris")), "anna");
}

TEST(CatalogAuthenticator, DisabledAndExpiredUsersFailLikeAWrongPassword) {
  auto disabled = anna();
  disabled.disabled = true;
  CatalogAuthenticator auth_disabled(directory_with({disabled}), fast_settings());
  expect_password_failure(run(auth_disabled, startup("anna"), libpq_like("anna")), "anna");

  auto expired = anna();
  expired.valid_until = std::chrono::system_clock::now() - 1s;
  CatalogAuthenticator auth_expired(directory_with({expired}), fast_settings());
  expect_password_failure(run(auth_expired, startup("anna"), libpq_like("anna")), "anna");

  auto still_valid = anna();
  still_valid.valid_until = std::chrono::system_clock::now() + 1h;
  CatalogAuthenticator auth_valid(directory_with({still_valid}), fast_settings());
  EXPECT_TRUE(run(auth_valid, startup("anna"), libpq_like("anna")).outcome.login.has_value());
}

TEST(CatalogAuthenticator, UnknownUserRunsAMockExchangeWithoutPassthrough) {
  CatalogAuthenticator auth(directory_with({anna()}), fast_settings(false));
  const auto r = run(auth, startup("mallory"), libpq_like("mallory"));
  expect_password_failure(r, "mallory");
  // Indistinguishable from a real user: the full exchange ran.
  EXPECT_EQ(r.client_received.size(), 2u);
}

TEST(CatalogAuthenticator, UnknownUserWithPassthroughGoesToPostgres) {
  CatalogAuthenticator auth(directory_with({anna()}), fast_settings(true));
  const auto r = run(auth, startup("postgres", {{"options", "-c work_mem=64MB"}}), libpq_like("x"));
  ASSERT_TRUE(r.outcome.login.has_value());
  EXPECT_TRUE(r.outcome.login->relay_server_authentication);
  EXPECT_EQ(r.outcome.login->startup.user(), "postgres");
  EXPECT_EQ(r.outcome.login->startup.parameter("options"), "-c work_mem=64MB");
  EXPECT_TRUE(r.client_received.empty());
}

TEST(CatalogAuthenticator, StartupOptionsOfProxyUsersAreRefused) {
  CatalogAuthenticator auth(directory_with({anna()}), fast_settings());
  const auto r = run(auth, startup("anna", {{"options", "-c gdpr.actor=carla"}}), libpq_like("anna"));
  ASSERT_FALSE(r.outcome.login.has_value());
  EXPECT_EQ(r.outcome.error.sqlstate, "42501");
}

void expect_protocol_violation(CatalogAuthenticator& auth, ClientScript script) {
  const auto r = run(auth, startup("anna"), std::move(script));
  ASSERT_FALSE(r.outcome.login.has_value());
  EXPECT_EQ(r.outcome.error.sqlstate, "08P01") << r.outcome.error.message;
}

TEST(CatalogAuthenticator, MalformedClientMessagesAreProtocolViolations) {
  CatalogAuthenticator auth(directory_with({anna()}), fast_settings());
  // Another mechanism than the one offered.
  expect_protocol_violation(auth, [](const std::vector<WholeMessage>& received) -> wire::Bytes {
    if (received.size() > 1) return {};
    return SaslInitialResponse{"SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc"}.serialize();
  });
  // A Query instead of a SASL message.
  expect_protocol_violation(auth, [](const std::vector<WholeMessage>&) -> wire::Bytes {
    wire::MessageBuilder builder('Q');
    builder.body().cstring("SELECT 1");
    return std::move(builder).finish();
  });
  // SASLInitialResponse whose length word disagrees with its data.
  expect_protocol_violation(auth, [](const std::vector<WholeMessage>& received) -> wire::Bytes {
    if (received.size() > 1) return {};
    auto bytes = SaslInitialResponse{"SCRAM-SHA-256", "n,,n=,r=abc"}.serialize();
    bytes[5 + 14 + 3] += 1;  // after type, length and "SCRAM-SHA-256\0"
    return bytes;
  });
  // Garbage client-first-message.
  expect_protocol_violation(auth, [](const std::vector<WholeMessage>& received) -> wire::Bytes {
    if (received.size() > 1) return {};
    return SaslInitialResponse{"SCRAM-SHA-256", "hello"}.serialize();
  });
  // A client-final-message with someone else's nonce.
  expect_protocol_violation(auth, [](const std::vector<WholeMessage>& received) -> wire::Bytes {
    if (received.size() == 1) return SaslInitialResponse{"SCRAM-SHA-256", "n,,n=,r=abc"}.serialize();
    if (received.size() == 2)
      return sasl_response("c=biws,r=abcOTHER,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    return {};
  });
  // An oversized message.
  expect_protocol_violation(auth, [](const std::vector<WholeMessage>&) -> wire::Bytes {
    wire::Bytes header{'p', 0x00, 0x10, 0x00, 0x00};
    return header;
  });
}

TEST(StartupOptions, EscapedAsLibpqReadsThem) {
  EXPECT_EQ(escape_startup_option("anna"), "anna");
  EXPECT_EQ(escape_startup_option("a b\\c\td"), "a\\ b\\\\c\\\td");
}

TEST(BackendStartup, KeepsOnlyHarmlessParameters) {
  std::vector<std::string> dropped;
  const auto backend = backend_startup_for(
      anna(),
      startup("anna",
              {{"DateStyle", "ISO"}, {"options", "-c x=y"}, {"search_path", "public"}, {"role", "postgres"}}),
      &dropped);
  EXPECT_EQ(backend.parameter("DateStyle"), "ISO");
  EXPECT_EQ(backend.parameter("role"), "");
  EXPECT_EQ(dropped, (std::vector<std::string>{"options", "search_path", "role"}));
  EXPECT_EQ(backend.parameter("user"), "gdpr_policy_agent");
}

}  // namespace
}  // namespace gdpr::proxy
