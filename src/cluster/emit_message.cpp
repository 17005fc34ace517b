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

std::vector<OutgoingEmit> encode_emit(std::string_view key_prefix, std::string_view uid, const sio::EmitTarget& target,
                                      std::string_view event, std::span<const boost::json::value> arguments,
                                      std::span<const std::string> attachments) {
  boost::json::array data;
  data.reserve(arguments.size() + 1);
  data.emplace_back(event);
  for (const auto& argument : arguments) data.push_back(argument);
  const boost::json::value packet = boost::json::object{{"type", kEventType}, {"data", std::move(data)}, {"nsp", target.nsp}};

  auto encode = [&](std::span<const std::string> rooms, std::span<const std::string> earlier_rooms) {
    boost::json::array except = string_array(target.except_rooms);
    for (const auto& room : earlier_rooms) except.emplace_back(room);
    const boost::json::value options =
        boost::json::object{{"rooms", string_array(rooms)}, {"except", std::move(except)}, {"flags", boost::json::object{}}};
    OutgoingEmit message;
    message.channel = emit_channel(key_prefix, target.nsp, rooms);
    message.payload.push_back(char(0x93));  // fixarray of 3
    encode_msgpack(boost::json::string(uid), {}, message.payload);
    encode_msgpack(packet, attachments, message.payload);
    encode_msgpack(options, {}, message.payload);
    return message;
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
  return emit;
}

}  // namespace sg::cluster
