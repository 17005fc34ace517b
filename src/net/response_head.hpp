// The HTTP/1.x head of a forwarded response: the status line, the application's headers,
// and the framing the host adds — content-length when the whole body is known,
// transfer-encoding: chunked when it streams over HTTP/1.1, end-of-connection for a
// streaming HTTP/1.0 response — plus date and, when the connection will not be reused,
// connection: close. Responses that carry no body (HEAD, 1xx, 204, 304) get no framing.
//
// Threading: pure functions (the date is cached per thread); any thread.
#pragma once

#include "net/forwarding.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sg::net {

struct ResponseFraming {
  bool chunked = false;     // body parts are sent as chunks, the last one ends them
  bool no_body = false;     // body parts are not sent at all
  bool keep_alive = true;   // the connection may serve another request afterwards
};

struct ResponseHeadInput {
  unsigned status = 200;
  const HeaderList* headers = nullptr;  // names lower-case
  std::size_t first_body_bytes = 0;
  bool more_body = false;
  unsigned version = 11;
  bool keep_alive = true;  // what the request allows
  bool head_request = false;
};

// The head, with `framing` filled in; nullopt when a header name or value holds CR, LF or
// NUL, or a name is empty, or the status is outside 100..999.
std::optional<std::string> response_head(const ResponseHeadInput& input, ResponseFraming& framing);

// One body part in the framing chosen (a chunk, or the bytes as they are); `last` ends a
// chunked body.
std::string framed_body_part(const ResponseFraming& framing, std::string body, bool last);

// The IMF-fixdate of now (RFC 9110 §5.6.7), recomputed at most once a second per thread.
std::string_view http_date_now();

}  // namespace sg::net
