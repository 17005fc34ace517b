// Fuzz target: the cluster emit decoder (src/cluster/emit_message decode_emit and
// carries_offset), which reads the @socket.io/redis-emitter messages published on the
// gateway's channels by other nodes and by external emitters. The input is one message
// payload. A message that decodes is encoded again the two ways a node does — as its own
// emit (encode_emit, one message per room) and as the ordered copy of an external emit
// (encode_ordered_copy, completed with an offset) — and each of those must decode to the same
// uid, namespace, event, rooms and excepts (and the copy to its offset).
//
// Threading: libFuzzer's thread only.
#include "../../src/cluster/emit_message.hpp"
#include "fuzz_support.hpp"

namespace {

using sg::fuzz::require;
namespace cluster = sg::cluster;

cluster::ClusterEmit decoded(std::string_view payload) {
  std::string error;
  auto emit = cluster::decode_emit(payload, error);
  require(emit.has_value(), "an encoded emit decodes");
  return std::move(*emit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload = sg::fuzz::as_text(data, size);
  (void)cluster::carries_offset(payload);
  std::string error;
  const auto emit = cluster::decode_emit(payload, error);
  if (!emit) {
    require(!error.empty(), "a refused emit has a reason");
    return 0;
  }

  auto copy = cluster::encode_ordered_copy("fuzz#/#", *emit);
  copy.payload += cluster::encoded_offset("1700000000000-0");
  require(cluster::carries_offset(copy.payload), "an ordered copy carries its offset");
  const cluster::ClusterEmit back = decoded(copy.payload);
  require(back.uid == emit->uid && back.event == emit->event && back.target.nsp == emit->target.nsp &&
              back.target.rooms == emit->target.rooms && back.target.except_rooms == emit->target.except_rooms &&
              back.offset == "1700000000000-0",
          "an ordered copy keeps the emit");

  const std::vector<boost::json::value> arguments(emit->arguments.begin(), emit->arguments.end());
  const auto messages =
      cluster::encode_emit("fuzz", emit->uid, emit->target, emit->event, arguments, emit->attachments, false);
  require(messages.size() == std::max<std::size_t>(1, emit->target.rooms.size()), "one message per room");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const cluster::ClusterEmit message = decoded(messages[i].payload);
    require(message.uid == emit->uid && message.event == emit->event && message.target.nsp == emit->target.nsp,
            "a node's own emit keeps its uid, event and namespace");
    if (!emit->target.rooms.empty()) require(message.target.rooms.size() == 1 && message.target.rooms[0] == emit->target.rooms[i], "room per message");
  }
  return 0;
}
