#pragma once
// Opening a TCP connection with a deadline. Used for every connection the
// proxy makes to PostgreSQL (sessions, cancel requests, the start-up check).

#include <chrono>
#include <tuple>
#include <vector>

#include "server/asio.hpp"

namespace gdpr::proxy {

// Tries each endpoint in turn, each attempt bounded by `timeout`. The error of
// the last attempt is returned when none succeeds (asio::error::timed_out on a deadline).
asio::awaitable<std::tuple<error_code, tcp::socket>> connect_with_timeout(
    const std::vector<tcp::endpoint>& endpoints, std::chrono::milliseconds timeout);

// Resolves host:port synchronously (start-up only); throws boost::system::system_error.
std::vector<tcp::endpoint> resolve_endpoints(const std::string& host, std::uint16_t port);

}  // namespace gdpr::proxy
