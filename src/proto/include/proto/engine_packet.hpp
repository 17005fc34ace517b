// Engine.IO v4 packet codec: packet types, the long-polling payload framing (records
// separated by \x1e, binary records as "b" + base64), no I/O and no clock.
//
// Threading: pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::proto {

enum class EnginePacketType : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

// One decoded Engine.IO packet. `data` views the caller's buffer (for a binary record
// decoded from base64 it views `decoded_binary` instead).
struct EnginePacket {
  EnginePacketType type = EnginePacketType::message;
  std::string_view data;
  bool binary = false;
};

// Decodes one text packet (a WebSocket text message, or one polling record that does not
// start with 'b'). Returns nullopt when the first character is not '0'..'6'.
std::optional<EnginePacket> decode_engine_text(std::string_view text);

// Splits a polling POST body into its records (on \x1e). An empty body yields no records.
std::vector<std::string_view> split_polling_payload(std::string_view body);

// Decodes one polling record: "b<base64>" becomes a binary message whose bytes are written
// to `binary_storage` (and viewed by the result); anything else goes through
// decode_engine_text. Returns nullopt on a bad type or bad base64.
std::optional<EnginePacket> decode_polling_record(std::string_view record, std::string& binary_storage);

// Appends one packet to a polling response body, inserting the \x1e separator when the
// body is not empty. Binary payloads are written as "b" + base64(payload).
void append_polling_record(std::string& body, std::string_view engine_packet, bool binary);

// Standard base64 (RFC 4648 §4, with padding) and base64url (§5, without padding).
std::string encode_base64(std::string_view bytes);
std::optional<std::string> decode_base64(std::string_view text);
std::string encode_base64url(std::string_view bytes);
std::optional<std::string> decode_base64url(std::string_view text);

// Appends standard base64 (with padding) of `bytes` to `out` without a temporary string;
// encode_base64 and append_polling_record are built on it.
void append_base64(std::string& out, std::string_view bytes);

}  // namespace sg::proto
