#include "server/tls_contexts.hpp"

#include <fmt/format.h>
#include <openssl/err.h>

#include "server/startup_error.hpp"

namespace gdpr::proxy {
namespace {

// Asio's message for OpenSSL errors is the library's reason string.
std::string openssl_reason(const boost::system::system_error& e) { return e.code().message(); }

// TLS 1.2+ only; no renegotiation, no compression. OpenSSL frees a
// connection's record buffers while it is idle (SSL_MODE_RELEASE_BUFFERS),
// which matters with a thousand idle clients.
void harden(asio::ssl::context& context) {
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
  SSL_CTX_set_options(context.native_handle(), SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(context.native_handle(), SSL_MODE_RELEASE_BUFFERS);
}

}  // namespace

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsConfig& tls) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  harden(*context);
  try {
    context->use_certificate_chain_file(tls.cert_file);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("[tls] cert_file \"{}\": cannot load certificate: {}", tls.cert_file, openssl_reason(e)));
  }
  try {
    context->use_private_key_file(tls.key_file, asio::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("[tls] key_file \"{}\": cannot load private key: {}", tls.key_file, openssl_reason(e)));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    throw StartupError(
        fmt::format("[tls] key_file \"{}\" does not match cert_file \"{}\"", tls.key_file, tls.cert_file));
  }
  return context;
}

std::unique_ptr<asio::ssl::context> make_server_tls_context(const Config& config) {
  if (config.server_sslmode == ServerSslMode::disable) return nullptr;
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  harden(*context);
  if (config.server_sslmode == ServerSslMode::require) {
    // Like libpq's sslmode=require without a root certificate: encrypted, not authenticated.
    context->set_verify_mode(asio::ssl::verify_none);
    return context;
  }
  const auto& file = config.server_sslrootcert.value();
  try {
    context->load_verify_file(file);
  } catch (const boost::system::system_error& e) {
    throw StartupError(
        fmt::format("[server] sslrootcert \"{}\": cannot load CA certificates: {}", file, openssl_reason(e)));
  }
  context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  return context;
}

}  // namespace gdpr::proxy
