#pragma once
// The OpenSSL contexts the proxy uses: one towards clients ([tls]) and one
// towards PostgreSQL ([server] sslmode, sslrootcert). Both are built whole at
// start-up and on every SIGHUP; a session keeps the context it started with.

#include <memory>

#include "config/config.hpp"
#include "server/asio.hpp"

namespace gdpr::proxy {

// From [tls]; throws StartupError naming the file at fault.
std::unique_ptr<asio::ssl::context> make_tls_context(const TlsConfig& tls);

// From [server] sslmode and sslrootcert: nullptr with sslmode = disable;
// throws StartupError naming the file at fault.
std::unique_ptr<asio::ssl::context> make_server_tls_context(const Config& config);

}  // namespace gdpr::proxy
