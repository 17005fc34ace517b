// What a host (the Asio network layer, or the ASGI bridge) gives the engine and gets back.
//
// The engine owns no sockets. For long-polling the host hands over each HTTP request and
// gets exactly one HttpReply through a callback. For WebSocket the host implements
// WebSocketPeer: the engine queues ready-made frames on it and asks it to close; the host
// feeds received messages back to the Session.
//
// Threading: every call in either direction happens on the session's shard thread. A host
// whose I/O lives elsewhere posts onto the shard before calling in, and the engine invokes
// PollResponder / WebSocketPeer on the shard thread.
#pragma once

#include "util/encoded_packet.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace sg::eio {

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=UTF-8";
  std::string body;
};

using PollResponder = std::function<void(HttpReply)>;

// What the engine remembers of the request that opened a session.
struct HandshakeInfo {
  std::string authorization;   // the Authorization header, if any
  std::string remote_address;
  std::string query;           // the raw query string of the handshake request
};

class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues one Engine.IO packet as one WebSocket message. Everything queued during one
  // loop turn leaves in a single gather write.
  virtual void send(const PacketRef& packet) = 0;
  // Bytes queued and not yet written.
  virtual std::size_t queued_bytes() const = 0;
  // Closes the connection; with flush_first, after what is queued has been written.
  virtual void close(bool flush_first) = 0;
};

}  // namespace sg::eio
