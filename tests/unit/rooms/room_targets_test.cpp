// RoomIndex::for_each_target: members of ANY listed room, each exactly once, minus members of
// ANY except room — for the inline path (few rooms) and the visited-set path (many rooms).
#include "rooms/room_index.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sg::rooms {
namespace {

using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

struct FakeSocket {
  int id = 0;
};

class RoomTargetsTest : public ::testing::Test {
 protected:
  std::vector<FakeSocket*> targets(std::vector<std::string> rooms, std::vector<std::string> except = {}) {
    std::vector<FakeSocket*> seen;
    index_.for_each_target(rooms, except, [&](FakeSocket* member) { seen.push_back(member); });
    return seen;
  }

  std::array<FakeSocket, 5> sockets_{{{0}, {1}, {2}, {3}, {4}}};
  FakeSocket* a_ = &sockets_[0];
  FakeSocket* b_ = &sockets_[1];
  FakeSocket* c_ = &sockets_[2];
  FakeSocket* d_ = &sockets_[3];
  RoomIndex<FakeSocket*> index_;
};

TEST_F(RoomTargetsTest, SingleRoomVisitsItsMembers) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  index_.join(c_, "r2");
  EXPECT_THAT(targets({"r1"}), UnorderedElementsAre(a_, b_));
}

TEST_F(RoomTargetsTest, UnknownRoomsVisitNobody) {
  index_.join(a_, "r1");
  EXPECT_TRUE(targets({"nope"}).empty());
  EXPECT_TRUE(targets({"nope", "neither"}).empty());
  EXPECT_TRUE(targets({}).empty());
}

TEST_F(RoomTargetsTest, MultiRoomTargetsAreDeduplicated) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  index_.join(b_, "r2");
  index_.join(c_, "r2");
  index_.join(a_, "r3");
  index_.join(c_, "r3");
  index_.join(d_, "r4");
  EXPECT_THAT(targets({"r1", "r2", "r3"}), UnorderedElementsAre(a_, b_, c_));
}

TEST_F(RoomTargetsTest, RepeatedRoomNamesVisitEachMemberOnce) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  EXPECT_THAT(targets({"r1", "r1", "r1"}), UnorderedElementsAre(a_, b_));
}

TEST_F(RoomTargetsTest, ExceptRoomsAreSkipped) {
  index_.join(a_, "all");
  index_.join(b_, "all");
  index_.join(c_, "all");
  index_.join(b_, "muted");
  EXPECT_THAT(targets({"all"}, {"muted"}), UnorderedElementsAre(a_, c_));
}

TEST_F(RoomTargetsTest, MemberInAnyExceptRoomIsSkippedAcrossManyTargets) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  index_.join(c_, "r2");
  index_.join(d_, "r2");
  index_.join(b_, "x1");
  index_.join(d_, "x2");
  EXPECT_THAT(targets({"r1", "r2"}, {"x1", "x2", "unknown"}), UnorderedElementsAre(a_, c_));
}

TEST_F(RoomTargetsTest, ExceptingTheTargetRoomItselfVisitsNobody) {
  index_.join(a_, "r1");
  index_.join(b_, "r1");
  EXPECT_TRUE(targets({"r1"}, {"r1"}).empty());
}

TEST_F(RoomTargetsTest, PrivateSocketRoomMinusSenderIsTheUsualBroadcastShape) {
  // Socket.IO puts each socket in a room named after its id; "to everyone but me" is then
  // "all" except the sender's own room.
  index_.join(a_, "sid-a");
  index_.join(b_, "sid-b");
  for (FakeSocket* member : {a_, b_, c_}) index_.join(member, "all");
  EXPECT_THAT(targets({"all"}, {"sid-a"}), UnorderedElementsAre(b_, c_));
}

TEST_F(RoomTargetsTest, ManyRoomsUseTheVisitedSetPathAndStillDedupe) {
  // More rooms than kInlineRooms, every member in several of them, several excepts.
  constexpr std::size_t kRooms = RoomIndex<FakeSocket*>::kInlineRooms * 3 + 1;
  std::array<FakeSocket, 200> members{};
  std::vector<std::string> rooms;
  for (std::size_t r = 0; r < kRooms; ++r) rooms.push_back("room-" + std::to_string(r));
  for (std::size_t m = 0; m < members.size(); ++m) {
    for (std::size_t k = 0; k < 4; ++k) index_.join(&members[m], rooms[(m + k * 7) % kRooms]);
    if (m % 5 == 0) index_.join(&members[m], "blocked");
    if (m % 7 == 0) index_.join(&members[m], "also-blocked");
  }
  std::vector<std::string> target_rooms = rooms;
  target_rooms.push_back(rooms.front());  // a repeat as well

  std::map<FakeSocket*, int> visits;
  index_.for_each_target(target_rooms, std::vector<std::string>{"blocked", "also-blocked"},
                         [&](FakeSocket* member) { ++visits[member]; });

  std::vector<FakeSocket*> expected;
  for (std::size_t m = 0; m < members.size(); ++m) {
    if (m % 5 != 0 && m % 7 != 0) expected.push_back(&members[m]);
  }
  std::vector<FakeSocket*> visited;
  for (const auto& [member, count] : visits) {
    EXPECT_EQ(count, 1);
    visited.push_back(member);
  }
  EXPECT_THAT(visited, UnorderedElementsAreArray(expected));
}

TEST_F(RoomTargetsTest, AgreesWithABruteForceModelForEveryTargetListSize) {
  // Membership is kept both in the index and in a plain model; target lists of 1..20 rooms
  // (both sides of kInlineRooms) with and without excepts must reach exactly the members the
  // model says, each once.
  constexpr int kRooms = 20;
  std::array<FakeSocket, 120> members{};
  std::map<std::string, std::set<FakeSocket*>> model;
  for (std::size_t m = 0; m < members.size(); ++m) {
    for (const std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{11}}) {
      const std::string room = "r" + std::to_string((m * step) % kRooms);
      index_.join(&members[m], room);
      model[room].insert(&members[m]);
    }
  }
  for (int count = 1; count <= kRooms; ++count) {
    for (const bool with_excepts : {false, true}) {
      std::vector<std::string> rooms;
      for (int r = 0; r < count; ++r) rooms.push_back("r" + std::to_string((r * 7) % kRooms));
      const std::vector<std::string> except =
          with_excepts ? std::vector<std::string>{"r5", "r13"} : std::vector<std::string>{};
      std::set<FakeSocket*> expected;
      for (const std::string& room : rooms) {
        for (FakeSocket* member : model[room]) {
          if (!with_excepts || (!model["r5"].contains(member) && !model["r13"].contains(member))) {
            expected.insert(member);
          }
        }
      }
      const std::vector<FakeSocket*> seen = targets(rooms, except);
      EXPECT_EQ(std::set<FakeSocket*>(seen.begin(), seen.end()).size(), seen.size()) << count;
      EXPECT_THAT(seen, UnorderedElementsAreArray(expected)) << count << " rooms, excepts " << with_excepts;
    }
  }
}

}  // namespace
}  // namespace sg::rooms
