// The JSON requests nodes exchange through Redis, besides emits.
//
// - Requests of the published @socket.io/redis-emitter on "<prefix>-request#<nsp>#":
//     {"type": 2|3|4, "opts": {"rooms": [...], "except": [...]}, "rooms": [...], "close": bool}
//   (socketsJoin / socketsLeave / disconnectSockets); a name in opts.rooms may be a sid.
//   Other types (fetchSockets, serverSideEmit...) are recognised and ignored.
// - A gateway node's question to another node on "<prefix>-node#<node-id>#", or to every
//   node on the request channel:
//     {"type": "sid", "op": "join"|"leave"|"disconnect"|"rooms", "sid", "room", "id", "from"}
//     {"type": "user-sids", "user", "id", "from"}
//   and the answer on the asker's node channel:
//     {"type": "reply", "id", "found", "rooms": [...], "sids": [...]}
//
// Threading: pure functions, any thread.
#pragma once

#include "sio/cluster_link.hpp"
#include "sio/gateway.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sg::cluster {

// An emitter request that selects sockets and acts on them.
struct SelectionRequest {
  sio::SocketSelection selection;
  sio::SelectionAction action;
};

struct SidQuestion {
  sio::SidRequest request;
  std::uint64_t id = 0;
  std::string from;
  bool anywhere = false;  // asked of every node: the one that has the sid answers found
};

struct UserSidsQuestion {
  std::string user_id;
  std::uint64_t id = 0;
  std::string from;
};

struct Reply {
  std::uint64_t id = 0;
  bool found = false;
  bool refused = false;  // found, but a limit refused the operation (a join past max_rooms_per_socket)
  std::vector<std::string> rooms;
  std::vector<std::string> sids;
};

struct IgnoredRequest {};  // a valid request of a kind the gateway does not act on

using Request = std::variant<SelectionRequest, SidQuestion, UserSidsQuestion, Reply, IgnoredRequest>;

// Parses a request received for namespace `nsp`; nullopt with `error` set on bad input.
std::optional<Request> decode_request(std::string_view text, std::string_view nsp, std::string& error);

std::string encode_sid_question(const sio::SidRequest& request, std::uint64_t id, std::string_view from,
                                bool anywhere = false);
std::string encode_user_sids_question(std::string_view user_id, std::uint64_t id, std::string_view from);
std::string encode_reply(const Reply& reply);

std::string request_channel(std::string_view key_prefix, std::string_view nsp);
std::string node_channel(std::string_view key_prefix, std::string_view node_id);

}  // namespace sg::cluster
