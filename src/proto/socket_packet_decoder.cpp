// Socket.IO v5 text packet decoder:
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
// read left to right the way the official parser reads it, plus the payload rules it
// enforces per type (PROTOCOL.md §2.2). Anything that breaks a rule is a decode error, on
// which the caller closes the whole Engine.IO connection. Bad input never throws.
//
// Threading: pure function; any thread.
#include "proto/socket_packet.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <limits>

namespace sg::proto {
namespace {

// Event names the server uses itself; a client may not emit them.
constexpr std::array<std::string_view, 6> kReservedEventNames = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_binary_type(SocketPacketType type) {
  return type == SocketPacketType::binary_event || type == SocketPacketType::binary_ack;
}

// Left-to-right reader over the packet text; each step consumes its part or fails.
class PacketReader {
 public:
  PacketReader(std::string_view text, std::string& error) : text_(text), error_(error) {}

  bool fail(const char* reason) {
    error_ = reason;
    return false;
  }

  bool read_type(SocketPacket& packet) {
    if (text_.empty()) return fail("empty packet");
    const char type = text_.front();
    if (type < '0' || type > '6') return fail("unknown packet type");
    packet.type = static_cast<SocketPacketType>(type - '0');
    pos_ = 1;
    return true;
  }

  // "<n>-" right after the type, only for BINARY_EVENT / BINARY_ACK.
  bool read_attachment_count(SocketPacket& packet, std::size_t max_attachments) {
    if (!is_binary_type(packet.type)) return true;
    std::size_t count = 0;
    const std::size_t digits_start = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      const auto digit = static_cast<std::size_t>(text_[pos_] - '0');
      if (count > (std::numeric_limits<std::size_t>::max() - digit) / 10) return fail("too many attachments");
      count = count * 10 + digit;
      if (count > max_attachments) return fail("too many attachments");
      ++pos_;
    }
    if (pos_ == digits_start) return fail("attachment count is not an integer");
    if (pos_ == text_.size() || text_[pos_] != '-') return fail("attachment count not followed by '-'");
    ++pos_;
    packet.attachments = count;
    return true;
  }

  // A '/' starts a namespace that runs to the next ',' (consumed) or to the end.
  void read_namespace(SocketPacket& packet) {
    if (pos_ == text_.size() || text_[pos_] != '/') return;
    const std::size_t comma = text_.find(',', pos_);
    const std::size_t end = comma == std::string_view::npos ? text_.size() : comma;
    packet.nsp.assign(text_.substr(pos_, end - pos_));
    pos_ = comma == std::string_view::npos ? text_.size() : comma + 1;
  }

  // Decimal digits right after the namespace part; the payload starts at the first
  // non-digit.
  bool read_ack_id(SocketPacket& packet) {
    if (pos_ == text_.size() || !is_digit(text_[pos_])) return true;
    std::uint64_t id = 0;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      const auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
      if (id > (kMax - digit) / 10) return fail("ack id overflows");
      id = id * 10 + digit;
      ++pos_;
    }
    packet.ack_id = id;
    return true;
  }

  // Parses the rest as JSON; `has_payload` is false when nothing is left.
  bool read_payload(SocketPacket& packet, std::size_t max_depth, bool& has_payload) {
    has_payload = pos_ < text_.size();
    if (!has_payload) return true;
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::system::error_code ec;
    packet.data = boost::json::parse(text_.substr(pos_), ec, {}, options);
    if (ec) return fail("invalid JSON payload");
    return true;
  }

 private:
  std::string_view text_;
  std::string& error_;
  std::size_t pos_ = 0;
};

bool is_valid_event_array(const boost::json::value& data, std::string& error) {
  const auto* args = data.if_array();
  if (args == nullptr || args->empty()) {
    error = "event payload is not a non-empty array";
    return false;
  }
  const auto& name = args->front();
  if (name.is_number()) return true;
  if (!name.is_string()) {
    error = "event name is not a string or a number";
    return false;
  }
  const std::string_view name_text = name.get_string();
  for (auto reserved : kReservedEventNames) {
    if (name_text == reserved) {
      error = "reserved event name";
      return false;
    }
  }
  return true;
}

// The per-type payload rules of the official parser. Types whose payload is required
// (EVENT, ACK, CONNECT_ERROR and their binary forms) are rejected without one.
bool is_valid_payload(const SocketPacket& packet, bool has_payload, std::string& error) {
  switch (packet.type) {
    case SocketPacketType::connect:
      if (!has_payload || packet.data.is_object()) return true;
      error = "CONNECT payload is not an object";
      return false;
    case SocketPacketType::disconnect:
      if (!has_payload) return true;
      error = "DISCONNECT has a payload";
      return false;
    case SocketPacketType::event:
    case SocketPacketType::binary_event:
      if (has_payload) return is_valid_event_array(packet.data, error);
      error = "event without payload";
      return false;
    case SocketPacketType::ack:
    case SocketPacketType::binary_ack:
      if (has_payload && packet.data.is_array()) return true;
      error = "ACK payload is not an array";
      return false;
    case SocketPacketType::connect_error:
      if (has_payload && (packet.data.is_object() || packet.data.is_string())) return true;
      error = "CONNECT_ERROR payload is not an object or a string";
      return false;
  }
  error = "unknown packet type";
  return false;
}

}  // namespace

std::optional<SocketPacket> decode_socket_packet(std::string_view text, std::string& error, const DecodeLimits& limits) {
  SocketPacket packet;
  PacketReader reader(text, error);
  bool has_payload = false;
  if (!reader.read_type(packet)) return std::nullopt;
  if (!reader.read_attachment_count(packet, limits.max_attachments)) return std::nullopt;
  reader.read_namespace(packet);
  if (!reader.read_ack_id(packet)) return std::nullopt;
  if (!reader.read_payload(packet, limits.max_json_depth, has_payload)) return std::nullopt;
  if (!is_valid_payload(packet, has_payload, error)) return std::nullopt;
  return packet;
}

}  // namespace sg::proto
