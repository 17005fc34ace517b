// Whether a socket in some rooms is among the recipients of an emit — socket.io-adapter's
// rule for replays (shouldIncludePacket): the emit is a broadcast or targets one of the
// socket's rooms, and excepts none of them. Used when replaying logged emits, where no room
// index is at hand.
//
// Threading: pure function, any thread.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace sg::sio {

inline bool would_receive(const std::vector<std::string>& target_rooms, const std::vector<std::string>& except_rooms,
                          const std::vector<std::string>& socket_rooms) {
  auto holds = [&](const std::vector<std::string>& names) {
    return std::any_of(socket_rooms.begin(), socket_rooms.end(), [&](const std::string& room) {
      return std::find(names.begin(), names.end(), room) != names.end();
    });
  };
  return (target_rooms.empty() || holds(target_rooms)) && !holds(except_rooms);
}

}  // namespace sg::sio
