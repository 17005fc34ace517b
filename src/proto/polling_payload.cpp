// Engine.IO v4 long-polling payloads: packets joined by the record separator \x1e, with no
// length prefixes. A binary message travels as "b" + base64 in place of the '4' type.
//
// Threading: pure functions; any thread. The views returned point into the caller's
// buffers, which must outlive them.
#include "proto/engine_packet.hpp"

namespace sg::proto {
namespace {

constexpr char kRecordSeparator = '\x1e';
constexpr char kBinaryRecordPrefix = 'b';

}  // namespace

std::vector<std::string_view> split_polling_payload(std::string_view body) {
  std::vector<std::string_view> records;
  if (body.empty()) return records;
  // Empty records ("4a\x1e\x1e4b", a trailing separator) are kept: they are not valid
  // packets, and the record decoder rejects them, as the official parser does.
  std::size_t start = 0;
  for (;;) {
    const std::size_t separator = body.find(kRecordSeparator, start);
    if (separator == std::string_view::npos) {
      records.push_back(body.substr(start));
      return records;
    }
    records.push_back(body.substr(start, separator - start));
    start = separator + 1;
  }
}

std::optional<EnginePacket> decode_polling_record(std::string_view record, std::string& binary_storage) {
  if (record.empty() || record.front() != kBinaryRecordPrefix) return decode_engine_text(record);
  auto bytes = decode_base64(record.substr(1));
  if (!bytes) return std::nullopt;
  binary_storage = std::move(*bytes);
  return EnginePacket{EnginePacketType::message, binary_storage, true};
}

void append_polling_record(std::string& body, std::string_view engine_packet, bool binary) {
  if (!body.empty()) body.push_back(kRecordSeparator);
  if (!binary) {
    body.append(engine_packet);
    return;
  }
  body.push_back(kBinaryRecordPrefix);
  append_base64(body, engine_packet);
}

}  // namespace sg::proto
