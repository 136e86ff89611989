#include "admin/http.hpp"

#include <fmt/format.h>

namespace gdpr::proxy::admin {

std::optional<HttpRequest> parse_request_head(std::string_view head) {
  const auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return std::nullopt;
  const auto line = head.substr(0, line_end);
  const auto first_space = line.find(' ');
  if (first_space == std::string_view::npos || first_space == 0) return std::nullopt;
  const auto second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos || second_space == first_space + 1) return std::nullopt;
  HttpRequest request;
  request.method = std::string(line.substr(0, first_space));
  auto target = line.substr(first_space + 1, second_space - first_space - 1);
  request.version = std::string(line.substr(second_space + 1));
  if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0") return std::nullopt;
  if (target.find(' ') != std::string_view::npos) return std::nullopt;
  for (char c : request.method) {
    if (c < 'A' || c > 'Z') return std::nullopt;
  }
  // Scrapers may add parameters (?name[]=...); the endpoint has one page.
  if (const auto query = target.find('?'); query != std::string_view::npos) target = target.substr(0, query);
  request.target = std::string(target);
  return request;
}

std::string_view status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string HttpResponse::serialize() const {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n", status,
      status_text(status), content_type, body.size(), status == 405 ? "Allow: GET, HEAD\r\n" : "");
  if (!head_only) out += body;
  return out;
}

HttpResponse respond(const std::optional<HttpRequest>& request,
                     const std::function<std::string()>& render_metrics) {
  HttpResponse response;
  if (!request) {
    response.status = 400;
    response.body = "malformed HTTP request\n";
    return response;
  }
  const bool head = request->method == "HEAD";
  if (request->method != "GET" && !head) {
    response.status = 405;
    response.body = "only GET and HEAD are served\n";
    return response;
  }
  response.head_only = head;
  if (request->target != "/metrics") {
    response.status = 404;
    response.body = "not found; the metrics are at /metrics\n";
    return response;
  }
  // The exposition format's media type (Prometheus text format 0.0.4).
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = render_metrics();
  return response;
}

}  // namespace gdpr::proxy::admin
