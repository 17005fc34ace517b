// Client: the Socket.IO state of one Engine.IO session — its sockets per namespace, the
// binary packet being assembled (header received, attachments still arriving), and the
// connect timeout that closes a session which never sends CONNECT.
//
// Threading: owned by its Session (as its SessionContext); the shard thread only.
#pragma once

#include "eio/session.hpp"
#include "proto/socket_packet.hpp"
#include "sio/socket.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sg::sio {

struct PendingBinaryPacket {
  proto::SocketPacket packet;
  std::vector<std::string> attachments;
};

struct Client : eio::SessionContext {
  explicit Client(eio::Session& session) : session(session), connect_timer(nullptr) {}

  eio::Session& session;
  // Sockets by namespace index; a session rarely has more than one or two.
  std::vector<std::pair<std::size_t, std::shared_ptr<Socket>>> sockets;
  std::optional<PendingBinaryPacket> pending_binary;
  std::unique_ptr<boost::asio::steady_timer> connect_timer;
  bool ever_connected = false;

  std::shared_ptr<Socket> socket_in(std::size_t namespace_index) const {
    for (const auto& [index, socket] : sockets) {
      if (index == namespace_index) return socket;
    }
    return nullptr;
  }
};

}  // namespace sg::sio
