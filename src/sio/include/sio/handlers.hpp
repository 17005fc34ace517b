// What application code registers on a namespace: connect, event and disconnect handlers,
// and the Ack it receives with an event that asked for one.
//
// Binary values travel as Socket.IO puts them on the wire: the JSON arguments keep their
// {"_placeholder":true,"num":K} objects, and `attachments[K]` holds the bytes.
//
// Threading: handlers run on the shard thread of the socket they concern. They must not
// block. An Ack may be invoked later, but only on that same shard thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sg::sio {

class Socket;

struct Arguments {
  boost::json::array values;
  std::vector<std::string> attachments;
};

class Ack {
 public:
  Ack() = default;
  Ack(std::weak_ptr<Socket> socket, std::uint64_t id) : socket_(std::move(socket)), id_(id), wanted_(true) {}
  // True when the client asked for an acknowledgement and none was sent yet.
  bool wanted() const { return wanted_; }
  // Sends the acknowledgement (once; later calls do nothing).
  void operator()(Arguments reply);

 private:
  std::weak_ptr<Socket> socket_;
  std::uint64_t id_ = 0;
  bool wanted_ = false;
};

using ConnectHandler = std::function<void(Socket&, const boost::json::object& auth)>;
using EventHandler = std::function<void(Socket&, Arguments&, Ack&)>;
using DisconnectHandler = std::function<void(Socket&, std::string_view reason)>;
using AckCallback = std::function<void(Arguments&)>;

struct NamespaceHandlers {
  ConnectHandler on_connect;
  DisconnectHandler on_disconnect;
  std::unordered_map<std::string, EventHandler> on_event;
};

}  // namespace sg::sio
