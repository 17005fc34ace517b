// Socket.IO v5 text packet encoder:
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// The emit path (append_event_packet / append_ack_packet) runs once per emit, so JSON is
// serialised straight into the caller's string: no intermediate array holding the event
// name and arguments, no temporary std::string per value. Non-finite numbers are written as
// null, as JSON.stringify writes them.
//
// Threading: pure functions; any thread.
#include "proto/socket_packet.hpp"

#include <boost/json/serializer.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

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

// A copy of `value` with every non-finite number replaced by null.
boost::json::value with_non_finite_as_null(const boost::json::value& value) {
  boost::json::value copy = value;
  std::vector<boost::json::value*> pending{&copy};  // payloads come from the network: no recursion
  while (!pending.empty()) {
    boost::json::value* current = pending.back();
    pending.pop_back();
    if (auto* array = current->if_array()) {
      for (auto& element : *array) pending.push_back(&element);
    } else if (auto* object = current->if_object()) {
      for (auto& member : *object) pending.push_back(&member.value());
    } else if (current->is_double() && !std::isfinite(current->get_double())) {
      *current = nullptr;
    }
  }
  return copy;
}

// Serialises `value` at the end of `out` the way JSON.stringify does. Boost.JSON writes a
// non-finite number (a client's 1e400, a NaN from a MessagePack emitter) as Infinity or NaN,
// which no JSON parser accepts, so such a value is written again with those numbers as null.
// The check is a scan of the bytes just written; a string holding "NaN" only costs the rewrite.
void append_value(std::string& out, boost::json::serializer& serializer, const boost::json::value& value) {
  const std::size_t start = out.size();
  serializer.reset(&value);
  drain_into(out, serializer);
  const std::string_view written = std::string_view(out).substr(start);
  if (written.find("Infinity") == std::string_view::npos && written.find("NaN") == std::string_view::npos) return;
  out.resize(start);
  const boost::json::value finite = with_non_finite_as_null(value);
  serializer.reset(&finite);
  drain_into(out, serializer);
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
    append_value(out, serializer, arg);
  }
}

}  // namespace

void append_json(std::string& out, const boost::json::value& value) {
  boost::json::serializer serializer;
  append_value(out, serializer, value);
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
