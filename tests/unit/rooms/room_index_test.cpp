// RoomIndex bookkeeping: join/leave/leave_all keep the room → members and member → rooms
// directions in step, rooms appear on first join and vanish with their last member.
#include "rooms/room_index.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

namespace sg::rooms {
namespace {

using ::testing::UnorderedElementsAre;

struct FakeSocket {
  int id = 0;
};

class RoomIndexTest : public ::testing::Test {
 protected:
  std::array<FakeSocket, 4> sockets_{{{0}, {1}, {2}, {3}}};
  FakeSocket* a_ = &sockets_[0];
  FakeSocket* b_ = &sockets_[1];
  FakeSocket* c_ = &sockets_[2];
  RoomIndex<FakeSocket*> index_;
};

TEST_F(RoomIndexTest, JoinAddsMemberInBothDirections) {
  EXPECT_TRUE(index_.join(a_, "lobby"));
  EXPECT_TRUE(index_.contains(a_, "lobby"));
  EXPECT_EQ(index_.member_count("lobby"), 1U);
  EXPECT_THAT(index_.rooms_of(a_), UnorderedElementsAre("lobby"));
  ASSERT_NE(index_.members_of("lobby"), nullptr);
  EXPECT_TRUE(index_.members_of("lobby")->contains(a_));
  EXPECT_EQ(index_.room_count(), 1U);
  EXPECT_EQ(index_.tracked_member_count(), 1U);
}

TEST_F(RoomIndexTest, DuplicateJoinReturnsFalseAndChangesNothing) {
  ASSERT_TRUE(index_.join(a_, "lobby"));
  EXPECT_FALSE(index_.join(a_, "lobby"));
  EXPECT_EQ(index_.member_count("lobby"), 1U);
  EXPECT_THAT(index_.rooms_of(a_), UnorderedElementsAre("lobby"));
  // One leave is enough to be gone: the duplicate was not counted twice.
  EXPECT_TRUE(index_.leave(a_, "lobby"));
  EXPECT_FALSE(index_.contains(a_, "lobby"));
  EXPECT_TRUE(index_.rooms_of(a_).empty());
}

TEST_F(RoomIndexTest, MembersAndRoomsAreTrackedInBothDirections) {
  index_.join(a_, "r1");
  index_.join(a_, "r2");
  index_.join(b_, "r2");
  index_.join(c_, "r3");
  EXPECT_THAT(index_.rooms_of(a_), UnorderedElementsAre("r1", "r2"));
  EXPECT_THAT(index_.rooms_of(b_), UnorderedElementsAre("r2"));
  EXPECT_THAT(*index_.members_of("r2"), UnorderedElementsAre(a_, b_));
  EXPECT_EQ(index_.room_count(), 3U);
  EXPECT_EQ(index_.tracked_member_count(), 3U);
}

TEST_F(RoomIndexTest, LeaveRemovesOnlyThatRoomMembership) {
  index_.join(a_, "r1");
  index_.join(a_, "r2");
  index_.join(b_, "r1");
  EXPECT_TRUE(index_.leave(a_, "r1"));
  EXPECT_FALSE(index_.contains(a_, "r1"));
  EXPECT_TRUE(index_.contains(a_, "r2"));
  EXPECT_TRUE(index_.contains(b_, "r1"));
  EXPECT_THAT(index_.rooms_of(a_), UnorderedElementsAre("r2"));
  EXPECT_THAT(*index_.members_of("r1"), UnorderedElementsAre(b_));
}

TEST_F(RoomIndexTest, LeaveUnknownRoomOrNonMemberReturnsFalse) {
  index_.join(a_, "r1");
  EXPECT_FALSE(index_.leave(a_, "nowhere"));
  EXPECT_FALSE(index_.leave(b_, "r1"));
  EXPECT_FALSE(index_.leave(c_, "nowhere"));
  EXPECT_TRUE(index_.contains(a_, "r1"));
  EXPECT_EQ(index_.room_count(), 1U);
}

TEST_F(RoomIndexTest, EmptyRoomIsErasedWhenLastMemberLeaves) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  index_.leave(a_, "r1");
  EXPECT_EQ(index_.room_count(), 1U);
  index_.leave(b_, "r1");
  EXPECT_EQ(index_.room_count(), 0U);
  EXPECT_EQ(index_.members_of("r1"), nullptr);
  EXPECT_EQ(index_.member_count("r1"), 0U);
  EXPECT_EQ(index_.tracked_member_count(), 0U);
}

TEST_F(RoomIndexTest, LeaveAllRemovesMemberFromEveryRoomAndErasesEmptiedRooms) {
  index_.join(a_, "r1");
  index_.join(a_, "r2");
  index_.join(a_, "r3");
  index_.join(b_, "r2");
  index_.leave_all(a_);
  EXPECT_TRUE(index_.rooms_of(a_).empty());
  EXPECT_FALSE(index_.contains(a_, "r2"));
  EXPECT_EQ(index_.members_of("r1"), nullptr);
  EXPECT_EQ(index_.members_of("r3"), nullptr);
  EXPECT_THAT(*index_.members_of("r2"), UnorderedElementsAre(b_));
  EXPECT_EQ(index_.room_count(), 1U);
  EXPECT_EQ(index_.tracked_member_count(), 1U);
}

TEST_F(RoomIndexTest, LeaveAllOfUnknownMemberDoesNothing) {
  index_.join(a_, "r1");
  index_.leave_all(b_);
  EXPECT_TRUE(index_.contains(a_, "r1"));
  EXPECT_EQ(index_.room_count(), 1U);
}

TEST_F(RoomIndexTest, RejoinAfterLeaveAllWorks) {
  index_.join(a_, "r1");
  index_.leave_all(a_);
  EXPECT_TRUE(index_.join(a_, "r1"));
  EXPECT_TRUE(index_.contains(a_, "r1"));
  EXPECT_THAT(index_.rooms_of(a_), UnorderedElementsAre("r1"));
}

TEST_F(RoomIndexTest, ForEachMemberVisitsEachMemberOnce) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  index_.join(c_, "r2");
  std::vector<FakeSocket*> seen;
  index_.for_each_member("r1", [&](FakeSocket* member) { seen.push_back(member); });
  EXPECT_THAT(seen, UnorderedElementsAre(a_, b_));
  seen.clear();
  index_.for_each_member("unknown", [&](FakeSocket* member) { seen.push_back(member); });
  EXPECT_TRUE(seen.empty());
}

TEST_F(RoomIndexTest, RoomNamesAreExactAndCaseSensitive) {
  index_.join(a_, "Room");
  EXPECT_FALSE(index_.contains(a_, "room"));
  EXPECT_FALSE(index_.contains(a_, "Room "));
  index_.join(b_, "");  // the empty name is a room like any other
  EXPECT_TRUE(index_.contains(b_, ""));
  EXPECT_EQ(index_.room_count(), 2U);
}

TEST_F(RoomIndexTest, RoomNamesMayContainNulBytes) {
  const std::string with_nul("a\0b", 3);
  index_.join(a_, with_nul);
  EXPECT_TRUE(index_.contains(a_, with_nul));
  EXPECT_FALSE(index_.contains(a_, "a"));
}

TEST_F(RoomIndexTest, ManyJoinsAndLeavesKeepBothDirectionsConsistent) {
  // Rooms are created and erased repeatedly (the room map rehashes) while members keep
  // pointers to their rooms' entries.
  std::array<FakeSocket, 50> members{};
  RoomIndex<FakeSocket*> index;
  for (int round = 0; round < 20; ++round) {
    for (std::size_t m = 0; m < members.size(); ++m) {
      for (int r = 0; r < 10; ++r) index.join(&members[m], "room-" + std::to_string((m + r + round) % 97));
    }
    for (std::size_t m = 0; m < members.size(); m += 2) index.leave_all(&members[m]);
    for (std::size_t m = 1; m < members.size(); m += 2) {
      for (const std::string& room : index.rooms_of(&members[m])) {
        ASSERT_TRUE(index.contains(&members[m], room));
        if (room.back() % 2 == 0) {
          ASSERT_TRUE(index.leave(&members[m], room));
        }
      }
    }
  }
  std::size_t memberships_by_room = 0;
  for (int r = 0; r < 97; ++r) memberships_by_room += index.member_count("room-" + std::to_string(r));
  std::size_t memberships_by_member = 0;
  for (FakeSocket& member : members) memberships_by_member += index.rooms_of(&member).size();
  EXPECT_EQ(memberships_by_room, memberships_by_member);
  for (int r = 0; r < 97; ++r) {
    const auto* room_members = index.members_of("room-" + std::to_string(r));
    if (room_members == nullptr) continue;
    EXPECT_FALSE(room_members->empty());
  }
}

}  // namespace
}  // namespace sg::rooms
