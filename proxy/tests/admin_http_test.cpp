// The admin endpoint: request parsing and responses as pure functions, then
// the real AdminServer on a loopback port answering a GET /metrics.

#include <gtest/gtest.h>

#include "admin/admin_server.hpp"
#include "admin/http.hpp"

namespace gdpr::proxy::admin {
namespace {

std::string metrics_text() { return "gdpr_proxy_queries_total 42\n"; }

TEST(AdminHttp, ParsesARequestLine) {
  const auto r = parse_request_head("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->target, "/metrics");
  EXPECT_EQ(r->version, "HTTP/1.1");
}

TEST(AdminHttp, RefusesMalformedRequestLines) {
  for (const char* head : {"", "GET\r\n\r\n", "GET /metrics\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
                           "GET /metrics HTTP/2\r\n\r\n", "get /metrics HTTP/1.1\r\n\r\n",
                           "GET /a b HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1"}) {
    EXPECT_FALSE(parse_request_head(head)) << head;
  }
}

TEST(AdminHttp, ServesMetricsOnly) {
  const auto ok = respond(parse_request_head("GET /metrics HTTP/1.1\r\n\r\n"), metrics_text);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(
      ok.serialize(),
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 28\r\n"
      "Connection: close\r\n\r\ngdpr_proxy_queries_total 42\n");

  const auto head = respond(parse_request_head("HEAD /metrics HTTP/1.0\r\n\r\n"), metrics_text);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.serialize().find("gdpr_proxy"), std::string::npos);
  EXPECT_NE(head.serialize().find("Content-Length: 28\r\n"), std::string::npos);

  EXPECT_EQ(respond(parse_request_head("GET / HTTP/1.1\r\n\r\n"), metrics_text).status, 404);
  const auto post = respond(parse_request_head("POST /metrics HTTP/1.1\r\n\r\n"), metrics_text);
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.serialize().find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_EQ(respond(std::nullopt, metrics_text).status, 400);
}

// Sends `request` to the server and returns everything it answers until it closes.
std::string exchange(const std::string& request) {
  asio::io_context io;
  AdminServer server(io, Endpoint{"127.0.0.1", 0}, metrics_text);
  server.start();
  std::string answer;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket(io);
        co_await socket.async_connect(server.local_endpoint(), use_tuple);
        co_await asio::async_write(socket, asio::buffer(request), use_tuple);
        char buffer[1024];
        for (;;) {
          auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
          if (ec) break;
          answer.append(buffer, n);
        }
        server.stop();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(20));
  return answer;
}

TEST(AdminServer, AnswersOverTcpAndCloses) {
  const auto answer = exchange("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("\r\n\r\ngdpr_proxy_queries_total 42\n"), std::string::npos) << answer;
}

TEST(AdminServer, RefusesAnOversizedHead) {
  const auto answer =
      exchange("GET /metrics HTTP/1.1\r\nX: " + std::string(kMaxRequestHead, 'a') + "\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer.substr(0, 100);
}

TEST(AdminServer, NamesTheAdminSectionWhenThePortIsTaken) {
  asio::io_context io;
  AdminServer first(io, Endpoint{"127.0.0.1", 0}, metrics_text);
  const auto port = first.local_endpoint().port();
  try {
    AdminServer second(io, Endpoint{"127.0.0.1", port}, metrics_text);
    FAIL() << "a second server bound the same port";
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), "cannot listen on 127.0.0.1:" + std::to_string(port) +
                                         " ([admin] host, port): Address already in use");
  }
}

}  // namespace
}  // namespace gdpr::proxy::admin
