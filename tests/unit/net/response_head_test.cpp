// The head and framing of a forwarded response (response_head.hpp): content-length for a
// whole body, chunked for a streamed HTTP/1.1 body, end-of-connection for a streamed
// HTTP/1.0 one, no framing where no body may follow (HEAD, 204, 304), the application's own
// content-length or chunked kept, connection: close when the connection ends, a date, and
// the refusal of header injection (CR, LF, NUL) and of impossible statuses.
#include "../../../src/net/response_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sg::net {
namespace {

struct Built {
  std::string head;
  ResponseFraming framing;
};

Built build(unsigned status, HeaderList headers, std::size_t body_bytes, bool more_body, unsigned version = 11,
            bool keep_alive = true, bool head_request = false) {
  ResponseFraming framing;
  ResponseHeadInput input{status, &headers, body_bytes, more_body, version, keep_alive, head_request};
  auto head = response_head(input, framing);
  EXPECT_TRUE(head.has_value());
  return {head.value_or(""), framing};
}

bool has_line(const std::string& head, const std::string& line) { return head.find("\r\n" + line + "\r\n") != std::string::npos; }

TEST(ResponseHead, WholeBodyGetsContentLengthAndKeepsTheAppsHeadersInOrder) {
  const auto built = build(200, {{"content-type", "application/json"}, {"x-b", "2"}, {"x-a", "1"}}, 17, false);
  EXPECT_EQ(built.head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_TRUE(has_line(built.head, "content-length: 17"));
  EXPECT_LT(built.head.find("x-b: 2"), built.head.find("x-a: 1"));
  EXPECT_TRUE(has_line(built.head, "date: " + std::string(http_date_now())));
  EXPECT_FALSE(built.framing.chunked);
  EXPECT_TRUE(built.framing.keep_alive);
  EXPECT_EQ(built.head.substr(built.head.size() - 4), "\r\n\r\n");
}

TEST(ResponseHead, StreamedHttp11BodyIsChunked) {
  const auto built = build(200, {{"content-type", "text/event-stream"}}, 5, true);
  EXPECT_TRUE(has_line(built.head, "transfer-encoding: chunked"));
  EXPECT_TRUE(built.framing.chunked);
  EXPECT_EQ(framed_body_part(built.framing, "hello", false), "5\r\nhello\r\n");
  EXPECT_EQ(framed_body_part(built.framing, "", true), "0\r\n\r\n");
  EXPECT_EQ(framed_body_part(built.framing, "0123456789abcdef", true), "10\r\n0123456789abcdef\r\n0\r\n\r\n");
}

TEST(ResponseHead, StreamedHttp10BodyEndsWithTheConnection) {
  const auto built = build(200, {}, 0, true, 10);
  EXPECT_EQ(built.head.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_FALSE(built.framing.chunked);
  EXPECT_FALSE(built.framing.keep_alive);
  EXPECT_TRUE(has_line(built.head, "connection: close"));
  EXPECT_EQ(framed_body_part(built.framing, "raw", false), "raw");
}

TEST(ResponseHead, TheAppsContentLengthIsKeptForAStreamedBody) {
  const auto built = build(200, {{"content-length", "10"}}, 4, true);
  EXPECT_TRUE(has_line(built.head, "content-length: 10"));
  EXPECT_EQ(built.head.find("transfer-encoding"), std::string::npos);
  EXPECT_FALSE(built.framing.chunked);
  EXPECT_TRUE(built.framing.keep_alive);
}

TEST(ResponseHead, NoBodyIsFramedForHeadRequestsAnd204And304) {
  for (const auto& [status, head_request] : {std::pair{200u, true}, {204u, false}, {304u, false}}) {
    const auto built = build(status, {}, 12, false, 11, true, head_request);
    EXPECT_TRUE(built.framing.no_body) << status;
    EXPECT_EQ(built.head.find("content-length"), std::string::npos) << status;
    EXPECT_EQ(framed_body_part(built.framing, "not sent", true), "") << status;
  }
}

TEST(ResponseHead, ConnectionCloseWhenTheRequestOrTheAppEndsTheConnection) {
  EXPECT_TRUE(has_line(build(200, {}, 0, false, 11, false).head, "connection: close"));
  const auto app_closes = build(200, {{"connection", "Close"}}, 0, false);
  EXPECT_FALSE(app_closes.framing.keep_alive);
  EXPECT_TRUE(has_line(build(200, {}, 0, false, 10, true).head, "connection: keep-alive"));
}

TEST(ResponseHead, HeaderInjectionAndImpossibleStatusesAreRefused) {
  ResponseFraming framing;
  for (const HeaderList& headers : {HeaderList{{"x-a", "1\r\nset-cookie: evil"}}, HeaderList{{"x-a\n", "1"}},
                                    HeaderList{{"x-a", std::string("a\0b", 3)}}, HeaderList{{"", "empty name"}}}) {
    ResponseHeadInput input{200, &headers, 0, false, 11, true, false};
    EXPECT_FALSE(response_head(input, framing).has_value());
  }
  const HeaderList none;
  for (unsigned status : {0u, 99u, 1000u}) {
    ResponseHeadInput input{status, &none, 0, false, 11, true, false};
    EXPECT_FALSE(response_head(input, framing).has_value()) << status;
  }
}

TEST(ResponseHead, TheAppsDateIsReplacedByTheHosts) {
  const auto built = build(200, {{"date", "yesterday"}}, 0, false);
  EXPECT_EQ(built.head.find("yesterday"), std::string::npos);
}

}  // namespace
}  // namespace sg::net
