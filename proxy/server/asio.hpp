#pragma once
// The Asio vocabulary used across the server code, in one place.

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>

namespace gdpr::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Hot-path completion token: errors come back as values, not exceptions.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace gdpr::proxy
