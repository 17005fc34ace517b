// Reading a request head out of the bytes a connection has buffered, with no socket: the step
// HttpConnection repeats after each read until the head is complete, the header lines of the
// raw head in arrival order (what a forwarded request carries), and whether a forwarded
// request's body is streamed. Apart from HttpConnection so that unit tests and the fuzz
// targets feed request bytes to the very code the server runs.
//
// Threading: pure functions over the caller's parser and bytes; any thread.
#pragma once

#include "net/forwarding.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <string_view>

namespace sg::net {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// What one offer of the buffered bytes gave.
struct HeadStep {
  std::size_t used = 0;          // bytes the parser took: the caller consumes them
  boost::system::error_code ec;  // http::error::need_more: read more, then offer again
  // The head's bytes this offer took (a view of it; empty on an error). Beast takes the start
  // line as soon as it is whole, so a head offered in pieces comes in several steps: their
  // raw_heads, appended, are the head.
  std::string_view raw_head;
};

// Offers `buffered` (every byte read and not consumed yet) to `parser`. The parser never takes
// a byte past the head, so once the head is done the body's bytes stay buffered. An empty
// offer is need_more.
HeadStep put_buffered_head(RequestParser& parser, boost::asio::const_buffer buffered);

// The header lines of a raw request head ("name: value", after the request line), in order,
// names lower-cased and values trimmed of surrounding spaces and tabs; a folded line (obs-fold)
// joins the previous value after one space, as Beast joins it.
HeaderList header_lines(std::string_view head);

// A forwarded body is streamed (the request forwarded right after its head) when it is
// chunked, longer than `whole_body_limit`, or waits for a "100 Continue"; never for an upgrade.
bool streams_forwarded_body(const RequestParser& parser, std::size_t whole_body_limit);

}  // namespace sg::net
