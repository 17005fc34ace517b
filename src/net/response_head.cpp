// Response heads and body framing for forwarded responses (see response_head.hpp).
// Threading: pure functions; the date cache is thread_local.
#include "response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace sg::net {

namespace {

bool clean(std::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool status_has_no_body(unsigned status) { return status < 200 || status == 204 || status == 304; }

bool has_token(std::string_view value, std::string_view token) {
  // Comma-separated, case-insensitive (the values the host cares about are ASCII tokens).
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    std::string_view item = value.substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.size() == token.size()) {
      bool same = true;
      for (std::size_t i = 0; i < item.size() && same; ++i)
        same = (item[i] | 0x20) == (token[i] | 0x20);
      if (same) return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> response_head(const ResponseHeadInput& input, ResponseFraming& framing) {
  if (input.status < 100 || input.status > 999) return std::nullopt;
  framing = {};
  framing.keep_alive = input.keep_alive;
  framing.no_body = input.head_request || status_has_no_body(input.status);

  bool has_length = false;
  bool app_chunked = false;
  std::string head;
  head.reserve(128 + input.headers->size() * 48);
  head += input.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(input.status);
  head += ' ';
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(input.status));
  head.append(reason.data(), reason.size());
  head += "\r\n";
  for (const auto& [name, value] : *input.headers) {
    if (name.empty() || !clean(name) || !clean(value)) return std::nullopt;
    if (name == "content-length") has_length = true;
    if (name == "transfer-encoding" && has_token(value, "chunked")) app_chunked = true;
    if (name == "connection" && has_token(value, "close")) framing.keep_alive = false;
    if (name == "date") continue;  // the host's own
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "date: ";
  head += http_date_now();
  head += "\r\n";
  if (!framing.no_body) {
    if (app_chunked) {
      framing.chunked = true;  // the app asked for it; the host writes the chunks
    } else if (!has_length) {
      if (!input.more_body) {
        head += "content-length: " + std::to_string(input.first_body_bytes) + "\r\n";
      } else if (input.version >= 11) {
        framing.chunked = true;
        head += "transfer-encoding: chunked\r\n";
      } else {
        framing.keep_alive = false;  // HTTP/1.0: the end of the connection ends the body
      }
    }
  }
  if (!framing.keep_alive) head += "connection: close\r\n";
  else if (input.version == 10) head += "connection: keep-alive\r\n";
  head += "\r\n";
  return head;
}

std::string framed_body_part(const ResponseFraming& framing, std::string body, bool last) {
  if (framing.no_body) return {};
  if (!framing.chunked) return body;
  std::string part;
  if (!body.empty()) {
    char size[20];
    const int length = std::snprintf(size, sizeof size, "%zx\r\n", body.size());
    part.reserve(static_cast<std::size_t>(length) + body.size() + 7);
    part.append(size, static_cast<std::size_t>(length));
    part += body;
    part += "\r\n";
  }
  if (last) part += "0\r\n\r\n";
  return part;
}

std::string_view http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local std::array<char, 40> text{};
  thread_local std::size_t length = 0;
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (now != cached_second) {
    cached_second = now;
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  }
  return {text.data(), length};
}

}  // namespace sg::net
