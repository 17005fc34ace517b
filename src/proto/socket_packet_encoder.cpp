// Socket.IO v5 text packet encoder:
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// The emit path (append_event_packet / append_ack_packet) runs once per emit, so JSON is
// serialised straight into the caller's string: no intermediate array holding the event
// name and arguments, no temporary std::string per value.
//
// Threading: pure functions; any thread.
#include "proto/socket_packet.hpp"

#include <boost/json/serializer.hpp>

#include <algorithm>
#include <charconv>

namespace sg::proto {
namespace {

// Smallest free room we hand to the serializer in one read; below it we grow first.
constexpr std::size_t kMinSerializeRoom = 256;
// Largest room handed over in one read: resize() zero-fills it, and a caller may have
// reserved far more than this value needs.
constexpr std::size_t kMaxSerializeRoom = 16 * 1024;

// Drains `serializer` into the end of `out`, growing the string geometrically.
void drain_into(std::string& out, boost::json::serializer& serializer) {
  while (!serializer.done()) {
    const std::size_t used = out.size();
    if (out.capacity() - used < kMinSerializeRoom) out.reserve(std::max(out.capacity() * 2, used + kMinSerializeRoom));
    const std::size_t room = std::min(out.capacity() - used, kMaxSerializeRoom);
    out.resize(used + room);
    const auto written = serializer.read(out.data() + used, room);
    out.resize(used + written.size());
  }
}

void append_decimal(std::string& out, std::uint64_t number) {
  char digits[20];
  const auto result = std::to_chars(digits, digits + sizeof(digits), number);
  out.append(digits, result.ptr);
}

// "<type>[<n>-][<nsp>,]" — the part every packet shares. The root namespace is written
// as nothing; an empty namespace is taken as the root.
void append_header(std::string& out, SocketPacketType type, std::size_t attachments, std::string_view nsp) {
  out.push_back(static_cast<char>('0' + static_cast<int>(type)));
  if (type == SocketPacketType::binary_event || type == SocketPacketType::binary_ack) {
    append_decimal(out, attachments);
    out.push_back('-');
  }
  if (!nsp.empty() && nsp != "/") {
    out.append(nsp);
    out.push_back(',');
  }
}

// Writes ",<arg>,<arg>..." (or "<arg>,<arg>..." when `leading_comma` is false).
void append_arguments(std::string& out, boost::json::serializer& serializer, std::span<const boost::json::value> args,
                      bool leading_comma) {
  for (const auto& arg : args) {
    if (leading_comma) out.push_back(',');
    leading_comma = true;
    serializer.reset(&arg);
    drain_into(out, serializer);
  }
}

}  // namespace

void append_json(std::string& out, const boost::json::value& value) {
  boost::json::serializer serializer;
  serializer.reset(&value);
  drain_into(out, serializer);
}

void append_socket_packet(std::string& out, const SocketPacket& packet) {
  append_header(out, packet.type, packet.attachments, packet.nsp);
  if (packet.ack_id) append_decimal(out, *packet.ack_id);
  if (!packet.data.is_null()) append_json(out, packet.data);
}

void append_event_packet(std::string& out, std::string_view nsp, std::string_view event,
                         std::span<const boost::json::value> args, std::optional<std::uint64_t> ack_id,
                         std::size_t attachments) {
  append_header(out, attachments > 0 ? SocketPacketType::binary_event : SocketPacketType::event, attachments, nsp);
  if (ack_id) append_decimal(out, *ack_id);
  out.push_back('[');
  boost::json::serializer serializer;
  serializer.reset(event);  // the event name, quoted and escaped as a JSON string
  drain_into(out, serializer);
  append_arguments(out, serializer, args, true);
  out.push_back(']');
}

void append_trailing_string_argument(std::string& packet, std::string_view value) {
  if (packet.empty() || packet.back() != ']') return;
  packet.pop_back();
  packet.push_back(',');
  boost::json::serializer serializer;
  serializer.reset(value);
  drain_into(packet, serializer);
  packet.push_back(']');
}

void append_ack_packet(std::string& out, std::string_view nsp, std::uint64_t ack_id,
                       std::span<const boost::json::value> args, std::size_t attachments) {
  append_header(out, attachments > 0 ? SocketPacketType::binary_ack : SocketPacketType::ack, attachments, nsp);
  append_decimal(out, ack_id);
  out.push_back('[');
  boost::json::serializer serializer;
  append_arguments(out, serializer, args, false);
  out.push_back(']');
}

}  // namespace sg::proto
