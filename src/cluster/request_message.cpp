// JSON requests between nodes and from emitters (see request_message.hpp).
// Threading: pure functions, any thread.
#include "request_message.hpp"

#include "json_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::cluster {

namespace {

// @socket.io/redis-emitter RequestType values.
constexpr std::int64_t kRemoteJoin = 2;
constexpr std::int64_t kRemoteLeave = 3;
constexpr std::int64_t kRemoteDisconnect = 4;

std::string string_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::optional<std::uint64_t> id_field(const boost::json::object& object) {
  const auto* value = object.if_contains("id");
  if (value == nullptr) return std::nullopt;
  if (value->is_uint64()) return value->get_uint64();
  if (value->is_int64() && value->get_int64() >= 0) return std::uint64_t(value->get_int64());
  return std::nullopt;
}

std::optional<Request> refuse(std::string& error, const char* why) {
  error = why;
  return std::nullopt;
}

std::optional<Request> decode_emitter_request(const boost::json::object& object, std::int64_t type,
                                              std::string_view nsp, std::string& error) {
  if (type != kRemoteJoin && type != kRemoteLeave && type != kRemoteDisconnect) return IgnoredRequest{};
  SelectionRequest request;
  request.selection.nsp = std::string(nsp);
  // Without opts a request would select every socket: the emitter always sends them.
  const auto* options = object.if_contains("opts");
  if (options == nullptr || !options->is_object()) return refuse(error, "opts is missing or not an object");
  if (!read_string_array(options->get_object(), "rooms", request.selection.rooms) ||
      !read_string_array(options->get_object(), "except", request.selection.except_rooms))
    return refuse(error, "opts.rooms/except are not arrays of strings");
  if (type == kRemoteDisconnect) {
    if (const auto* close = object.if_contains("close"); close != nullptr && !close->is_bool())
      return refuse(error, "close is not a boolean");
    request.action.kind = sio::SelectionAction::Kind::disconnect;
    return request;
  }
  request.action.kind = type == kRemoteJoin ? sio::SelectionAction::Kind::join : sio::SelectionAction::Kind::leave;
  const auto* rooms = object.if_contains("rooms");
  if (rooms == nullptr || !read_string_array(object, "rooms", request.action.rooms)) return refuse(error, "rooms is not an array of strings");
  return request;
}

std::optional<Request> decode_sid_question(const boost::json::object& object, std::string& error) {
  SidQuestion question;
  const auto id = id_field(object);
  if (!id) return refuse(error, "no id");
  question.id = *id;
  question.from = string_field(object, "from");
  question.request.sid = string_field(object, "sid");
  question.request.room = string_field(object, "room");
  const std::string op = string_field(object, "op");
  if (op == "join") question.request.kind = sio::SidRequest::Kind::join;
  else if (op == "leave") question.request.kind = sio::SidRequest::Kind::leave;
  else if (op == "disconnect") question.request.kind = sio::SidRequest::Kind::disconnect;
  else if (op == "rooms") question.request.kind = sio::SidRequest::Kind::rooms;
  else return refuse(error, "unknown op");
  if (question.from.empty() || question.request.sid.empty()) return refuse(error, "no from or sid");
  const auto* anywhere = object.if_contains("anywhere");
  question.anywhere = anywhere != nullptr && anywhere->is_bool() && anywhere->get_bool();
  return question;
}

const char* op_name(sio::SidRequest::Kind kind) {
  switch (kind) {
    case sio::SidRequest::Kind::join: return "join";
    case sio::SidRequest::Kind::leave: return "leave";
    case sio::SidRequest::Kind::disconnect: return "disconnect";
    case sio::SidRequest::Kind::rooms: return "rooms";
  }
  return "";
}

}  // namespace

std::optional<Request> decode_request(std::string_view text, std::string_view nsp, std::string& error) {
  boost::system::error_code parse_error;
  auto parsed = boost::json::parse(text, parse_error);
  if (parse_error) return refuse(error, "not JSON");
  if (!parsed.is_object()) return refuse(error, "not a JSON object");
  const auto& object = parsed.get_object();
  const auto* type = object.if_contains("type");
  if (type == nullptr) return refuse(error, "no type");
  if (type->is_int64()) return decode_emitter_request(object, type->get_int64(), nsp, error);
  if (!type->is_string()) return refuse(error, "type is neither a number nor a string");
  const auto& kind = type->get_string();
  if (kind == "sid") return decode_sid_question(object, error);
  if (kind == "user-sids") {
    const auto id = id_field(object);
    UserSidsQuestion question{string_field(object, "user"), id.value_or(0), string_field(object, "from")};
    if (!id || question.from.empty()) return refuse(error, "no id or from");
    return question;
  }
  if (kind == "reply") {
    const auto id = id_field(object);
    if (!id) return refuse(error, "no id");
    Reply reply;
    reply.id = *id;
    const auto* found = object.if_contains("found");
    reply.found = found != nullptr && found->is_bool() && found->get_bool();
    const auto* refused = object.if_contains("refused");
    reply.refused = refused != nullptr && refused->is_bool() && refused->get_bool();
    if (!read_string_array(object, "rooms", reply.rooms) || !read_string_array(object, "sids", reply.sids))
      return refuse(error, "rooms/sids are not strings");
    return reply;
  }
  return IgnoredRequest{};
}

std::string encode_sid_question(const sio::SidRequest& request, std::uint64_t id, std::string_view from,
                                bool anywhere) {
  boost::json::object question{{"type", "sid"}, {"op", op_name(request.kind)}, {"sid", request.sid},
                               {"room", request.room}, {"id", id}, {"from", from}};
  if (anywhere) question["anywhere"] = true;
  return boost::json::serialize(question);
}

std::string encode_user_sids_question(std::string_view user_id, std::uint64_t id, std::string_view from) {
  return boost::json::serialize(boost::json::object{{"type", "user-sids"}, {"user", user_id}, {"id", id}, {"from", from}});
}

std::string encode_reply(const Reply& reply) {
  return boost::json::serialize(boost::json::object{{"type", "reply"},
                                                    {"id", reply.id},
                                                    {"found", reply.found},
                                                    {"refused", reply.refused},
                                                    {"rooms", string_array(reply.rooms)},
                                                    {"sids", string_array(reply.sids)}});
}

std::string request_channel(std::string_view key_prefix, std::string_view nsp) {
  return std::string(key_prefix) + "-request#" + std::string(nsp) + "#";
}

std::string node_channel(std::string_view key_prefix, std::string_view node_id) {
  return std::string(key_prefix) + "-node#" + std::string(node_id) + "#";
}

}  // namespace sg::cluster
