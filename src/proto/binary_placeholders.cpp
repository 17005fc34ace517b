// Binary attachment placeholders: the {"_placeholder":true,"num":K} objects that stand in
// for binary values inside a BINARY_EVENT / BINARY_ACK payload.
//
// Threading: pure function; any thread.
#include "proto/socket_packet.hpp"

#include <vector>

namespace sg::proto {
namespace {

// Same test as the official parser: "_placeholder" is the boolean true and "num" a number.
bool is_placeholder(const boost::json::object& object) {
  const auto* flag = object.if_contains("_placeholder");
  const auto* num = object.if_contains("num");
  return flag != nullptr && flag->is_bool() && flag->get_bool() && num != nullptr && num->is_number();
}

}  // namespace

std::size_t count_placeholders(const boost::json::value& value) {
  // An explicit stack rather than recursion: payloads can come from the network. Visiting
  // order does not change a count, so children are pushed in their natural order.
  std::size_t count = 0;
  std::vector<const boost::json::value*> pending{&value};
  while (!pending.empty()) {
    const boost::json::value* current = pending.back();
    pending.pop_back();
    if (const auto* array = current->if_array()) {
      for (const auto& element : *array) pending.push_back(&element);
    } else if (const auto* object = current->if_object()) {
      if (is_placeholder(*object)) {
        ++count;
        continue;
      }
      for (const auto& member : *object) pending.push_back(&member.value());
    }
  }
  return count;
}

}  // namespace sg::proto
