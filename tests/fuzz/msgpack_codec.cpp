// Fuzz target: the MessagePack codec (src/cluster/msgpack_codec), which reads every message
// other nodes and external emitters publish in Redis. The input is one MessagePack value. A
// value that decodes is encoded again with its attachments; that encoding must decode, and
// encoding the result once more must give the same bytes (the first pass may normalise:
// float32 becomes float64, a map shaped like a placeholder becomes a bin).
//
// Threading: libFuzzer's thread only.
#include "../../src/cluster/msgpack_codec.hpp"
#include "fuzz_support.hpp"

namespace {
using sg::fuzz::require;
namespace cluster = sg::cluster;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = sg::fuzz::as_text(data, size);
  std::vector<std::string> attachments;
  std::string error;
  const auto value = cluster::decode_msgpack(bytes, attachments, error);
  if (!value) {
    require(!error.empty(), "a refused value has a reason");
    return 0;
  }
  std::string encoded;
  cluster::encode_msgpack(*value, attachments, encoded);
  std::vector<std::string> again_attachments;
  const auto again = cluster::decode_msgpack(encoded, again_attachments, error);
  require(again.has_value(), "an encoded value decodes");
  std::string encoded_again;
  cluster::encode_msgpack(*again, again_attachments, encoded_again);
  require(encoded_again == encoded, "encoding is stable after one round");
  return 0;
}
