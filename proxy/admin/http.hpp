#pragma once
// The little HTTP/1.1 the admin endpoint speaks, as pure functions: parse a
// request head, build a complete response. Only GET and HEAD are served; each
// response closes the connection, which is all a Prometheus scraper needs.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gdpr::proxy::admin {

// Largest request head read (request line plus headers).
inline constexpr std::size_t kMaxRequestHead = 8192;

struct HttpRequest {
  std::string method;
  std::string target;  // the path, query string removed
  std::string version;
};

// Parses the request line of `head` (which ends with an empty line); nullopt
// when it is not "METHOD SP TARGET SP HTTP/1.x".
std::optional<HttpRequest> parse_request_head(std::string_view head);

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // HEAD: headers only (Content-Length still that of the body).
  bool head_only = false;
  std::string serialize() const;
};

// What the admin endpoint answers to `request` (nullopt: malformed, 400):
// GET|HEAD /metrics -> 200 with `render_metrics()` in the Prometheus text
// format; another path -> 404; another method -> 405.
HttpResponse respond(const std::optional<HttpRequest>& request,
                     const std::function<std::string()>& render_metrics);

std::string_view status_text(int status);

}  // namespace gdpr::proxy::admin
