// EncodedEmit: one emit, encoded once — the packet and its binary attachments, shared by
// every shard and every recipient (and by the recovery log). `seq` is its recovery sequence
// number, 0 when its namespace keeps no log.
//
// Threading: immutable once built; any thread.
#pragma once

#include "util/encoded_packet.hpp"

#include <cstdint>
#include <vector>

namespace sg::sio {

struct EncodedEmit {
  PacketRef head;
  std::vector<PacketRef> attachments;
  std::uint64_t seq = 0;
};

}  // namespace sg::sio
