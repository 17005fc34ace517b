// Socket.IO v5 packet codec: CONNECT / DISCONNECT / EVENT / ACK / CONNECT_ERROR /
// BINARY_EVENT / BINARY_ACK in their text form
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// with the payload rules the official parser enforces. Binary attachments are kept as
// they travel: the JSON keeps its {"_placeholder":true,"num":K} objects and the
// attachments travel beside it, in order; nothing is rebuilt into a tree.
//
// Threading: pure functions; any thread.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sg::proto {

enum class SocketPacketType : int {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

struct SocketPacket {
  SocketPacketType type = SocketPacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> ack_id;
  boost::json::value data;       // null when the packet has no payload
  std::size_t attachments = 0;   // only for binary_event / binary_ack
};

struct DecodeLimits {
  std::size_t max_attachments = 10;
  // Deepest JSON nesting accepted in a payload (Boost.JSON's own default is 32, which
  // real applications can exceed; the parser is not recursive, so this only bounds work).
  std::size_t max_json_depth = 64;
};

// Decodes the text of one Socket.IO packet (the Engine.IO message body, without the '4').
// On failure returns nullopt and sets `error` to a short reason for the log. Enforces:
//  - CONNECT payload absent or an object; DISCONNECT without payload;
//  - EVENT/BINARY_EVENT a non-empty array whose first element is a string or a number,
//    and not one of the reserved names (connect, connect_error, disconnect, disconnecting,
//    newListener, removeListener);
//  - ACK/BINARY_ACK an array; CONNECT_ERROR an object or a string;
//  - attachment count present only on binary types, an integer, <= limits.max_attachments.
//  - a namespace runs from '/' to the next ',' or to the end of the text.
std::optional<SocketPacket> decode_socket_packet(std::string_view text, std::string& error,
                                                 const DecodeLimits& limits = {});

// Appends the text form of `packet` to `out` (the caller prepends the Engine.IO '4' when it
// wants a full Engine.IO message). Namespaces other than "/" are always followed by ','.
void append_socket_packet(std::string& out, const SocketPacket& packet);

// Fast path for emits: appends "<2|5>[<n>-][<nsp>,][<ack>]["<event>",<arg>,<arg>...]",
// serialising each argument once, without building an intermediate array. When
// `attachments` > 0 the type is BINARY_EVENT. Emitting one value is `args = {&value, 1}`.
void append_event_packet(std::string& out, std::string_view nsp, std::string_view event,
                         std::span<const boost::json::value> args,
                         std::optional<std::uint64_t> ack_id = std::nullopt, std::size_t attachments = 0);

// Adds `value` as one more string argument at the end of a packet that append_event_packet
// wrote into `packet` (its text ends with the closing ']'): the connection-state-recovery
// offset, which clients read as an event's last argument.
void append_trailing_string_argument(std::string& packet, std::string_view value);

// Appends "<3|6>[<n>-][<nsp>,]<ack id>[<arg>,...]" (BINARY_ACK when attachments > 0).
void append_ack_packet(std::string& out, std::string_view nsp, std::uint64_t ack_id,
                       std::span<const boost::json::value> args, std::size_t attachments = 0);

// Appends the compact JSON text of `value` to `out`, serialising straight into the
// string's storage (no temporary string). Like every encoder here, it writes a non-finite
// number (which a payload may hold: "1e400" parses to infinity) as null, as JSON.stringify
// does, never as the Infinity or NaN that no JSON parser accepts.
void append_json(std::string& out, const boost::json::value& value);

// Counts {"_placeholder":true,"num":K} objects in `value` (depth first).
std::size_t count_placeholders(const boost::json::value& value);

}  // namespace sg::proto
