// Emit messages in the @socket.io/redis-emitter format (see emit_message.hpp).
// Threading: pure functions, any thread.
#include "emit_message.hpp"

#include "json_fields.hpp"
#include "msgpack_codec.hpp"

#include <boost/json/object.hpp>

namespace sg::cluster {

namespace {

// Socket.IO packet types the emitter and the Node adapter use for events.
constexpr std::int64_t kEventType = 2;
constexpr std::int64_t kBinaryEventType = 5;

std::optional<ClusterEmit> refuse(std::string& error, const char* why) {
  error = why;
  return std::nullopt;
}

}  // namespace

std::string emit_channel(std::string_view key_prefix, std::string_view nsp, std::span<const std::string> rooms) {
  std::string channel;
  channel.reserve(key_prefix.size() + nsp.size() + 3 + (rooms.size() == 1 ? rooms.front().size() : 0));
  channel.append(key_prefix).append("#").append(nsp).append("#");
  if (rooms.size() == 1) channel.append(rooms.front()).append("#");
  return channel;
}

namespace {

boost::json::value event_packet(std::string_view nsp, std::string_view event, std::span<const boost::json::value> arguments) {
  boost::json::array data;
  data.reserve(arguments.size() + 1);
  data.emplace_back(event);
  for (const auto& argument : arguments) data.push_back(argument);
  return boost::json::object{{"type", kEventType}, {"data", std::move(data)}, {"nsp", nsp}};
}

// One message: [uid, packet, {rooms, except, flags[, offset]}].
OutgoingEmit encode_message(std::string channel, std::string_view uid, const boost::json::value& packet,
                            std::span<const std::string> attachments, const boost::json::array& rooms,
                            const boost::json::array& except, bool ordered) {
  OutgoingEmit message;
  message.channel = std::move(channel);
  message.ordered = ordered;
  message.payload.push_back(char(0x93));  // fixarray of 3
  encode_msgpack(boost::json::string(uid), {}, message.payload);
  encode_msgpack(packet, attachments, message.payload);
  // The options map, written key by key so that "offset" can come last, its value left out.
  message.payload.push_back(char(ordered ? 0x84 : 0x83));  // fixmap of 4 or 3
  encode_msgpack(boost::json::string("rooms"), {}, message.payload);
  encode_msgpack(rooms, {}, message.payload);
  encode_msgpack(boost::json::string("except"), {}, message.payload);
  encode_msgpack(except, {}, message.payload);
  encode_msgpack(boost::json::string("flags"), {}, message.payload);
  encode_msgpack(boost::json::object{}, {}, message.payload);
  if (ordered) encode_msgpack(boost::json::string("offset"), {}, message.payload);
  return message;
}

}  // namespace

std::vector<OutgoingEmit> encode_emit(std::string_view key_prefix, std::string_view uid, const sio::EmitTarget& target,
                                      std::string_view event, std::span<const boost::json::value> arguments,
                                      std::span<const std::string> attachments, bool ordered) {
  const boost::json::value packet = event_packet(target.nsp, event, arguments);
  auto encode = [&](std::span<const std::string> rooms, std::span<const std::string> earlier_rooms) {
    boost::json::array except = string_array(target.except_rooms);
    for (const auto& room : earlier_rooms) except.emplace_back(room);
    return encode_message(emit_channel(key_prefix, target.nsp, rooms), uid, packet, attachments, string_array(rooms),
                          except, ordered);
  };

  std::vector<OutgoingEmit> messages;
  if (target.rooms.empty()) {
    messages.push_back(encode({}, {}));
    return messages;
  }
  const std::span<const std::string> rooms(target.rooms);
  for (std::size_t i = 0; i < rooms.size(); ++i) messages.push_back(encode(rooms.subspan(i, 1), rooms.first(i)));
  return messages;
}

OutgoingEmit encode_ordered_copy(std::string channel, const ClusterEmit& emit) {
  return encode_message(std::move(channel), emit.uid, event_packet(emit.target.nsp, emit.event, emit.arguments),
                        emit.attachments, string_array(emit.target.rooms), string_array(emit.target.except_rooms), true);
}

bool carries_offset(std::string_view payload) {
  // An ordered message ends with the key "offset" (fixstr) and its str8 value.
  constexpr std::string_view key = "\xa6offset\xd9";
  for (std::size_t length = 1; length < 64 && length + 1 + key.size() <= payload.size(); ++length) {
    const std::size_t value_at = payload.size() - length;
    if (static_cast<unsigned char>(payload[value_at - 1]) == length &&
        payload.substr(value_at - 1 - key.size(), key.size()) == key)
      return true;
  }
  return false;
}

std::string encoded_offset(std::string_view stream_id) {
  std::string out{char(0xd9), char(stream_id.size())};  // str8, as the script writes it
  out.append(stream_id);
  return out;
}

std::optional<ClusterEmit> decode_emit(std::string_view payload, std::string& error) {
  ClusterEmit emit;
  auto decoded = decode_msgpack(payload, emit.attachments, error);
  if (!decoded) return std::nullopt;
  if (!decoded->is_array() || decoded->get_array().size() != 3) return refuse(error, "not an [uid, packet, opts] array");
  auto& parts = decoded->get_array();
  if (parts[0].is_string()) emit.uid = parts[0].get_string();
  if (!parts[1].is_object()) return refuse(error, "packet is not a map");
  auto& packet = parts[1].get_object();

  const auto* type = packet.if_contains("type");
  if (type == nullptr || !type->is_number()) return refuse(error, "packet has no type");
  const auto type_number = type->is_int64() ? type->get_int64() : -1;
  if (type_number != kEventType && type_number != kBinaryEventType) return refuse(error, "packet is not an event");

  if (const auto* nsp = packet.if_contains("nsp"); nsp != nullptr) {
    if (!nsp->is_string()) return refuse(error, "nsp is not a string");
    emit.target.nsp = nsp->get_string();
  }
  auto* data = packet.if_contains("data");
  if (data == nullptr || !data->is_array() || data->get_array().empty() || !data->get_array().front().is_string())
    return refuse(error, "packet data is not [event, ...]");
  auto& values = data->get_array();
  emit.event = values.front().get_string();
  values.erase(values.begin());
  emit.arguments = std::move(values);

  if (!parts[2].is_object()) return refuse(error, "options are not a map");
  const auto& options = parts[2].get_object();
  if (!read_string_array(options, "rooms", emit.target.rooms) ||
      !read_string_array(options, "except", emit.target.except_rooms))
    return refuse(error, "rooms/except are not arrays of strings");
  if (const auto* offset = options.if_contains("offset"); offset != nullptr && offset->is_string())
    emit.offset = offset->get_string();
  return emit;
}

}  // namespace sg::cluster
