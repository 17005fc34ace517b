// The notices of the C++ core for the Python side: a polling reply is ready, a WebSocket has
// frames to write, a client event arrived, a lookup finished, ... They travel through a
// WakeupQueue (wakeup_queue.hpp: an eventfd the loop watches; shards never take the GIL).
//
// Threading: plain values, made on shard threads and read on the Python loop thread.
#pragma once

#include "eio/host_interface.hpp"
#include "wakeup_queue.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sg::py {

class AsgiWebSocketPeer;

// The engine's answer to one long-polling request.
struct PollReplyNotice {
  std::uint64_t token;
  eio::HttpReply reply;
};

// The outcome of a WebSocket open: a refusal to send instead of accepting, or the peer
// that now carries the connection (null when refused).
struct WebSocketOpenedNotice {
  std::uint64_t token;
  std::optional<eio::HttpReply> refusal;
  std::shared_ptr<AsgiWebSocketPeer> peer;
};

// A peer's outbox went from empty to non-empty (or was closed): Python should drain it.
struct OutboxReadyNotice {
  std::uint64_t peer_id;
};

struct ConnectNotice {
  std::string nsp;
  std::string sid;
  std::string user_id;
  std::string claims_json;
};

// A client event; ack_id is set when the client asked for an acknowledgement.
struct EventNotice {
  std::string nsp;
  std::string sid;
  std::string event;
  std::string arguments_json;  // a JSON array, binary values as {"_placeholder":true,"num":K}
  std::vector<std::string> attachments;
  std::optional<std::uint64_t> ack_id;
};

struct DisconnectNotice {
  std::string nsp;
  std::string sid;
  std::string user_id;
  std::string reason;
};

// A lookup or a shutdown finished. `found` is false for an unknown sid; `names` holds
// the rooms or sids the lookup returned.
struct DoneNotice {
  std::uint64_t token;
  bool found = true;
  std::optional<std::vector<std::string>> names;
  bool refused = false;  // a join max_rooms_per_socket refused
};

using Notice = std::variant<PollReplyNotice, WebSocketOpenedNotice, OutboxReadyNotice, ConnectNotice, EventNotice,
                            DisconnectNotice, DoneNotice>;

using NoticeQueue = WakeupQueue<Notice>;

}  // namespace sg::py
