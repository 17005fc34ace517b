// The emit messages nodes exchange through Redis, in the wire format of the published
// @socket.io/redis-emitter (5.x): MessagePack of
//   [uid, {"type": 2, "data": [event, ...arguments], "nsp": nsp},
//         {"rooms": [...], "except": [...], "flags": {}}]
// published on "<prefix>#<nsp>#" (everyone, or several rooms) or "<prefix>#<nsp>#<room>#"
// (exactly one room). Gateway nodes publish the same format with uid = their node id, so
// each node can recognise (and skip) the echo of its own emits.
//
// With cluster-wide recovery the options map has one more key, "offset": the emit's Redis
// stream id. A node encodes such a message without the offset's value — the last thing in
// the message — and the publishing script appends it (cluster_scripts.hpp); consumers that do
// not know the key ignore it.
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
  std::string offset;                    // the stream id, when the cluster orders emits
};

// One message ready to PUBLISH, or, when `ordered`, for the publishing script (the payload
// then ends where the offset's value goes).
struct OutgoingEmit {
  std::string channel;
  std::string payload;
  bool ordered = false;
};

// The channel of an emit: one room -> that room's channel, otherwise the namespace's.
std::string emit_channel(std::string_view key_prefix, std::string_view nsp, std::span<const std::string> rooms);

// The messages that carry one emit from node `uid` to the others. Several rooms become one
// message per room channel, each excepting the rooms before it, so that a socket in several
// of the rooms still receives the emit once. `ordered`: each message ends with the "offset"
// key, for the publishing script.
std::vector<OutgoingEmit> encode_emit(std::string_view key_prefix, std::string_view uid, const sio::EmitTarget& target,
                                      std::string_view event, std::span<const boost::json::value> arguments,
                                      std::span<const std::string> attachments, bool ordered = false);

// An emit that arrived without an offset (from an external emitter), encoded again as one
// ordered message for `channel`, with exactly its rooms and excepts.
OutgoingEmit encode_ordered_copy(std::string channel, const ClusterEmit& emit);

// Whether a message ends with an offset (cheap: looks at the last bytes only).
bool carries_offset(std::string_view payload);

// The MessagePack string that completes an ordered message: its offset's value.
std::string encoded_offset(std::string_view stream_id);

// Decodes a message of that format; nullopt with `error` set when it is not one.
std::optional<ClusterEmit> decode_emit(std::string_view payload, std::string& error);

}  // namespace sg::cluster
