// Request heads from buffered bytes (net/request_head): a head offered in pieces is need_more
// until all of it is there, then taken exactly (the body's bytes stay buffered); the raw head's
// header lines keep their order and repeats, names lower-cased and values trimmed, folded lines
// joined as Beast joins them; and which forwarded bodies stream.
#include "../../../src/net/request_head.hpp"

#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

#include <string>

namespace sg::net {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kHead =
    "POST /upload?x=1 HTTP/1.1\r\nHost: example\r\nX-Tag: one\r\nx-tag:  two \t\r\nContent-Length: 5\r\n\r\n";

TEST(RequestHead, IsNeedMoreUntilTheWholeHeadIsBufferedAndItsPiecesMakeTheHead) {
  RequestParser parser;
  std::string buffered;
  EXPECT_EQ(put_buffered_head(parser, boost::asio::buffer(buffered)).ec, http::error::need_more);
  for (std::size_t length = 1; length < kHead.size(); ++length) {
    RequestParser fresh;
    buffered.assign(kHead.substr(0, length));
    const HeadStep first = put_buffered_head(fresh, boost::asio::buffer(buffered));
    ASSERT_EQ(first.ec, http::error::need_more) << length;
    ASSERT_LE(first.used, length);
    std::string raw(first.raw_head);  // Beast may take the start line before the rest is there
    buffered = buffered.substr(first.used) + std::string(kHead.substr(length)) + "hel";
    const HeadStep rest = put_buffered_head(fresh, boost::asio::buffer(buffered));
    ASSERT_FALSE(rest.ec) << length;
    raw.append(rest.raw_head);
    EXPECT_EQ(raw, kHead) << length;
    EXPECT_TRUE(fresh.is_header_done());
  }
}

TEST(RequestHead, TakesExactlyTheHeadAndLeavesTheBody) {
  RequestParser parser;
  const std::string buffered = std::string(kHead) + "hel";
  const HeadStep step = put_buffered_head(parser, boost::asio::buffer(buffered));
  EXPECT_FALSE(step.ec);
  EXPECT_EQ(step.used, kHead.size());
  EXPECT_EQ(step.raw_head, kHead);
  EXPECT_TRUE(parser.is_header_done());
  EXPECT_EQ(parser.get().target(), "/upload?x=1");
}

TEST(RequestHead, AMalformedHeadIsAnError) {
  RequestParser parser;
  const std::string buffered = "GET / HTTP/1.1\r\nBad Header\r\n\r\n";
  const HeadStep step = put_buffered_head(parser, boost::asio::buffer(buffered));
  EXPECT_TRUE(step.ec);
  EXPECT_NE(step.ec, http::error::need_more);
  EXPECT_TRUE(step.raw_head.empty());
}

TEST(RequestHead, HeaderLinesKeepOrderAndRepeats) {
  const HeaderList lines = header_lines(kHead);
  const HeaderList expected{{"host", "example"}, {"x-tag", "one"}, {"x-tag", "two"}, {"content-length", "5"}};
  EXPECT_EQ(lines, expected);
}

TEST(RequestHead, FoldedLinesJoinThePreviousValueAsBeastJoinsThem) {
  // The http_request fuzz target's input: before, " os" became a header of its own while Beast
  // folded it into "Hos", so an application behind the forwarder saw other headers than ours.
  constexpr std::string_view head = "GET / HTTP/1.1\r\nHos:\r\n\t\r\n\t\tGET /\r\n os:0-contip-  \r\nX-A: a\r\n  b c \r\n\r\n";
  RequestParser parser;
  const std::string buffered(head);
  ASSERT_FALSE(put_buffered_head(parser, boost::asio::buffer(buffered)).ec);
  const HeaderList expected{{"hos", "GET / os:0-contip-"}, {"x-a", "a b c"}};
  EXPECT_EQ(header_lines(head), expected);
  EXPECT_EQ(parser.get()["Hos"], "GET / os:0-contip-");
  EXPECT_EQ(parser.get()["X-A"], "a b c");
}

bool streams(std::string_view head) {
  RequestParser parser;
  const std::string buffered(head);
  EXPECT_FALSE(put_buffered_head(parser, boost::asio::buffer(buffered)).ec) << head;
  return streams_forwarded_body(parser, 64 * 1024);
}

TEST(RequestHead, ForwardedBodiesThatStream) {
  EXPECT_FALSE(streams("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n"));
  EXPECT_TRUE(streams("POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n"));
  EXPECT_TRUE(streams("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  EXPECT_TRUE(streams("POST / HTTP/1.1\r\nContent-Length: 1\r\nExpect: 100-Continue\r\n\r\n"));
  EXPECT_FALSE(streams("POST / HTTP/1.1\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_FALSE(streams("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
}

}  // namespace
}  // namespace sg::net
