// RoomIndex cost bounds: leave_all touches only the leaving member's rooms, however many rooms
// the shard has. Proven by counting member hashes, which every per-room set operation needs: a
// scan of all rooms would hash the member once per room.
#include "rooms/room_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sg::rooms {
namespace {

struct FakeSocket {
  int id = 0;
};

std::size_t member_hash_calls = 0;

struct CountingMemberHash {
  std::size_t operator()(FakeSocket* member) const noexcept {
    ++member_hash_calls;
    return std::hash<FakeSocket*>{}(member);
  }
};

TEST(RoomIndexScaling, LeaveAllTouchesOnlyTheMembersOwnRoomsAmong100kRooms) {
  constexpr int kRooms = 100'000;
  std::vector<FakeSocket> others(kRooms);
  FakeSocket leaving;
  RoomIndex<FakeSocket*, CountingMemberHash> index;
  for (int r = 0; r < kRooms; ++r) index.join(&others[r], "room-" + std::to_string(r));
  // The leaving member shares one room with others and has two of its own.
  index.join(&leaving, "room-42");
  index.join(&leaving, "solo-1");
  index.join(&leaving, "solo-2");
  ASSERT_EQ(index.room_count(), static_cast<std::size_t>(kRooms + 2));

  member_hash_calls = 0;
  index.leave_all(&leaving);
  // One lookup of the member's room list plus one erase per room it was in.
  EXPECT_LE(member_hash_calls, 8U);

  EXPECT_TRUE(index.rooms_of(&leaving).empty());
  EXPECT_EQ(index.room_count(), static_cast<std::size_t>(kRooms));
  EXPECT_EQ(index.members_of("solo-1"), nullptr);
  EXPECT_EQ(index.members_of("solo-2"), nullptr);
  EXPECT_EQ(index.member_count("room-42"), 1U);
  EXPECT_FALSE(index.contains(&leaving, "room-42"));
  for (int r = 0; r < kRooms; r += 997) {
    EXPECT_TRUE(index.contains(&others[r], "room-" + std::to_string(r))) << r;
  }
  EXPECT_EQ(index.tracked_member_count(), static_cast<std::size_t>(kRooms));
}

TEST(RoomIndexScaling, SingleRoomBroadcastTouchesNoOtherRoom) {
  // The hot path walks the one set: no member is hashed at all (no dedupe, no except check).
  constexpr int kMembers = 1000;
  std::vector<FakeSocket> members(kMembers);
  RoomIndex<FakeSocket*, CountingMemberHash> index;
  for (int m = 0; m < kMembers; ++m) {
    index.join(&members[m], "everyone");
    index.join(&members[m], "own-" + std::to_string(m));
  }
  const std::vector<std::string> rooms{"everyone"};
  int visited = 0;
  member_hash_calls = 0;
  index.for_each_target(rooms, {}, [&](FakeSocket*) { ++visited; });
  EXPECT_EQ(visited, kMembers);
  EXPECT_EQ(member_hash_calls, 0U);
}

}  // namespace
}  // namespace sg::rooms
