// Request heads from buffered bytes (see request_head.hpp).
// Threading: pure functions; any thread.
#include "request_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace sg::net {

namespace http = boost::beast::http;

HeadStep put_buffered_head(RequestParser& parser, boost::asio::const_buffer buffered) {
  HeadStep step;
  if (buffered.size() == 0) {
    step.ec = http::error::need_more;
    return step;
  }
  step.used = parser.put(buffered, step.ec);
  if (!step.ec || step.ec == http::error::need_more) step.raw_head = {static_cast<const char*>(buffered.data()), step.used};
  return step;
}

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

HeaderList header_lines(std::string_view head) {
  HeaderList headers;
  std::size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos) {
    line_start += 2;
    const std::size_t line_end = head.find("\r\n", line_start);
    if (line_end == std::string_view::npos || line_end == line_start) break;
    const std::string_view line = head.substr(line_start, line_end - line_start);
    line_start = line_end;
    // obs-fold (RFC 9112 §5.2): a line starting with a space or a tab continues the previous
    // value. Beast joins the pieces with one space, and so do we, so that the application sees
    // the headers the gateway parsed — not a header named " authorization".
    if (line.front() == ' ' || line.front() == '\t') {
      const std::string_view more = trimmed(line);
      if (headers.empty() || more.empty()) continue;
      std::string& value = headers.back().second;
      if (!value.empty()) value.push_back(' ');
      value.append(more);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      headers.emplace_back(std::move(name), std::string(trimmed(line.substr(colon + 1))));
    }
  }
  return headers;
}

bool streams_forwarded_body(const RequestParser& parser, std::size_t whole_body_limit) {
  const auto& header = parser.get();
  if (boost::beast::websocket::is_upgrade(header)) return false;
  if (parser.chunked()) return true;
  const auto length = parser.content_length();
  if (length && *length > whole_body_limit) return true;
  return length.value_or(0) > 0 && boost::beast::iequals(header[http::field::expect], "100-continue");
}

}  // namespace sg::net
