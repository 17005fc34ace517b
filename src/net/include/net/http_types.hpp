// The HTTP vocabulary shared by the network host and the request handlers mounted on it:
// a parsed request, a reply, and the callback that sends the reply back.
//
// Threading: a Responder may be called from any thread, exactly once; the connection
// hops back to its own shard before writing.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sg::net {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct Reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Responder = std::function<void(Reply)>;

// Handles a request outside the Engine.IO mounts. Returns false when the path is not its
// own (the host then answers 404).
using RequestHandler = std::function<bool(const Request& request, const std::string& remote_address, Responder respond)>;

Reply json_error(unsigned status, std::string_view message);

}  // namespace sg::net
