// The emit messages nodes exchange through Redis, in the wire format of the published
// @socket.io/redis-emitter (5.x): MessagePack of
//   [uid, {"type": 2, "data": [event, ...arguments], "nsp": nsp},
//         {"rooms": [...], "except": [...], "flags": {}}]
// published on "<prefix>#<nsp>#" (everyone, or several rooms) or "<prefix>#<nsp>#<room>#"
// (exactly one room). Gateway nodes publish the same format with uid = their node id, so
// each node can recognise (and skip) the echo of its own emits.
//
// Threading: pure functions, any thread.
#pragma once

#include "sio/gateway.hpp"

#include <boost/json/array.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sg::cluster {

struct ClusterEmit {
  std::string uid;
  sio::EmitTarget target;
  std::string event;
  boost::json::array arguments;          // binary values are placeholders...
  std::vector<std::string> attachments;  // ...whose bytes are here
};

// One message ready to PUBLISH.
struct OutgoingEmit {
  std::string channel;
  std::string payload;
};

// The channel of an emit: one room -> that room's channel, otherwise the namespace's.
std::string emit_channel(std::string_view key_prefix, std::string_view nsp, std::span<const std::string> rooms);

// The messages that carry one emit from node `uid` to the others. Several rooms become one
// message per room channel, each excepting the rooms before it, so that a socket in several
// of the rooms still receives the emit once.
std::vector<OutgoingEmit> encode_emit(std::string_view key_prefix, std::string_view uid, const sio::EmitTarget& target,
                                      std::string_view event, std::span<const boost::json::value> arguments,
                                      std::span<const std::string> attachments);

// Decodes a message of that format; nullopt with `error` set when it is not one.
std::optional<ClusterEmit> decode_emit(std::string_view payload, std::string& error);

}  // namespace sg::cluster
