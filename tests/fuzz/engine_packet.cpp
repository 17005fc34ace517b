// Fuzz target: Engine.IO v4 text packets, long-polling payloads and base64 (src/proto:
// engine_packet, polling_payload, base64). The input is a polling POST body: split into its
// records, each record decoded (text, or "b" + base64 binary), and each packet written back
// with append_polling_record, which must decode to the same packet. The records joined again
// must give the body back. The same bytes go through the WebSocket text path
// (decode_engine_text) and the strict base64/base64url decoders, whose output must encode
// back to exactly the input.
//
// Threading: libFuzzer's thread only.
#include "fuzz_support.hpp"
#include "proto/engine_packet.hpp"

#include <string>

namespace {

using sg::fuzz::require;
namespace proto = sg::proto;

void check_record(std::string_view record) {
  std::string storage;
  const auto packet = proto::decode_polling_record(record, storage);
  if (!packet) return;
  // Back to what a session queues: the type digit and data, or the raw binary bytes.
  std::string engine_packet;
  if (!packet->binary) engine_packet.push_back(static_cast<char>(packet->type));
  engine_packet.append(packet->data);
  std::string body;
  proto::append_polling_record(body, engine_packet, packet->binary);
  std::string again_storage;
  const auto again = proto::decode_polling_record(body, again_storage);
  require(again.has_value(), "a re-encoded record decodes");
  require(again->type == packet->type && again->binary == packet->binary && again->data == packet->data,
          "a re-encoded record decodes to the same packet");
}

void check_base64(std::string_view text) {
  if (const auto bytes = proto::decode_base64(text)) require(proto::encode_base64(*bytes) == text, "base64 is canonical");
  if (const auto bytes = proto::decode_base64url(text))
    require(proto::encode_base64url(*bytes) == text, "base64url is canonical");
  const auto round_trip = proto::decode_base64(proto::encode_base64(text));
  require(round_trip && *round_trip == text, "base64 round trip");
  const auto url_round_trip = proto::decode_base64url(proto::encode_base64url(text));
  require(url_round_trip && *url_round_trip == text, "base64url round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = sg::fuzz::as_text(data, size);
  const auto records = proto::split_polling_payload(body);
  std::string joined;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0) joined.push_back('\x1e');
    joined.append(records[i]);
    check_record(records[i]);
  }
  require(joined == body, "records join back into the body");
  if (const auto packet = proto::decode_engine_text(body)) require(packet->data == body.substr(1), "text packet data");
  check_base64(body);
  return 0;
}
