// Fuzz target: the Socket.IO v5 packet decoder and the binary placeholder count (src/proto:
// socket_packet_decoder, binary_placeholders). The input is the text of one packet as it
// arrives in an Engine.IO message. A packet that decodes is encoded again
// (append_socket_packet) and must decode to the same type, namespace, ack id, attachment
// count and payload (doubles compared with a tolerance: Boost.JSON 1.81 parses them
// imprecisely; a number too large for a double comes back as null). Binary assembly itself is fed through the Gateway by socketio_session.cpp.
//
// Threading: libFuzzer's thread only.
#include "fuzz_support.hpp"
#include "proto/socket_packet.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace {

using sg::fuzz::require;
namespace json = boost::json;
namespace proto = sg::proto;

bool close_enough(double a, double b) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return true;
  return std::fabs(a - b) <= 1e-12 * std::fmax(std::fabs(a), std::fabs(b));
}

// Structural equality, numbers by value (an integer may come back as a double and back).
bool same_json(const json::value& left, const json::value& right) {
  std::vector<std::pair<const json::value*, const json::value*>> pending{{&left, &right}};
  while (!pending.empty()) {
    const auto [a, b] = pending.back();
    pending.pop_back();
    // The encoder writes a non-finite number as null (JSON.stringify's rule).
    if (a->is_double() && !std::isfinite(a->get_double()) && b->is_null()) continue;
    if (b->is_double() && !std::isfinite(b->get_double()) && a->is_null()) continue;
    if (a->is_number() && b->is_number()) {
      if (a->kind() != b->kind() && (a->is_double() || b->is_double())) {
        if (!close_enough(a->to_number<double>(), b->to_number<double>())) return false;
      } else if (a->is_double()) {
        if (!close_enough(a->get_double(), b->get_double())) return false;
      } else if (*a != *b) {
        return false;
      }
      continue;
    }
    if (a->kind() != b->kind()) return false;
    if (const auto* array = a->if_array()) {
      const auto& other = b->get_array();
      if (array->size() != other.size()) return false;
      for (std::size_t i = 0; i < array->size(); ++i) pending.emplace_back(&(*array)[i], &other[i]);
    } else if (const auto* object = a->if_object()) {
      const auto& other = b->get_object();
      if (object->size() != other.size()) return false;
      for (const auto& member : *object) {
        const auto* match = other.if_contains(member.key());
        if (match == nullptr) return false;
        pending.emplace_back(&member.value(), match);
      }
    } else if (*a != *b) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = sg::fuzz::as_text(data, size);
  std::string error;
  const auto packet = proto::decode_socket_packet(text, error);
  if (!packet) {
    require(!error.empty(), "a refused packet has a reason");
    return 0;
  }
  (void)proto::count_placeholders(packet->data);
  std::string encoded;
  proto::append_socket_packet(encoded, *packet);
  std::string again_error;
  const auto again = proto::decode_socket_packet(encoded, again_error);
  if (!again) {
    // An event named by a number too large for a double: its name is written as null, as
    // JSON.stringify writes it, and that is no event name. The JSON itself must be valid.
    const auto* args = packet->data.if_array();
    require(args && !args->empty() && args->front().is_double() && !std::isfinite(args->front().get_double()),
            "a re-encoded packet decodes");
    return 0;
  }
  require(again->type == packet->type && again->nsp == packet->nsp && again->ack_id == packet->ack_id &&
              again->attachments == packet->attachments,
          "a re-encoded packet keeps its header");
  require(same_json(again->data, packet->data), "a re-encoded packet keeps its payload");
  return 0;
}
