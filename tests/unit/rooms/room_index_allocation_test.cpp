// RoomIndex lookups by std::string_view allocate nothing (heterogeneous lookup), and neither
// does the single-room broadcast or a few-room target resolution. Allocations are counted by
// replacing the global operator new for this test binary.
#include "rooms/room_index.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {
std::size_t allocation_count = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++allocation_count;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

namespace sg::rooms {
namespace {

struct FakeSocket {
  int id = 0;
};

class RoomIndexAllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (FakeSocket& member : members_) {
      // Names longer than the small-string buffer, so building a std::string would allocate.
      index_.join(&member, "a-room-name-long-enough-to-need-the-heap-1");
      index_.join(&member, "a-room-name-long-enough-to-need-the-heap-2");
    }
    index_.join(&members_[0], "a-room-name-long-enough-to-need-the-heap-3");
  }

  std::vector<FakeSocket> members_ = std::vector<FakeSocket>(32);
  RoomIndex<FakeSocket*> index_;
};

TEST_F(RoomIndexAllocationTest, LookupsByStringViewDoNotAllocate) {
  const std::string_view room = "a-room-name-long-enough-to-need-the-heap-1";
  const std::size_t before = allocation_count;
  const bool member = index_.contains(&members_[3], room);
  const std::size_t count = index_.member_count(room);
  const bool found = index_.members_of(room) != nullptr;
  const bool missing = index_.members_of("a-room-name-long-enough-to-need-the-heap-9") == nullptr;
  const std::size_t after = allocation_count;
  EXPECT_TRUE(member);
  EXPECT_EQ(count, 32U);
  EXPECT_TRUE(found);
  EXPECT_TRUE(missing);
  EXPECT_EQ(after - before, 0U);
}

TEST_F(RoomIndexAllocationTest, DuplicateJoinAndLeaveOfUnknownDoNotAllocate) {
  const std::size_t before = allocation_count;
  const bool joined_again = index_.join(&members_[0], std::string_view("a-room-name-long-enough-to-need-the-heap-1"));
  const bool left_unknown = index_.leave(&members_[0], std::string_view("a-room-name-long-enough-to-need-the-heap-9"));
  const std::size_t after = allocation_count;
  EXPECT_FALSE(joined_again);
  EXPECT_FALSE(left_unknown);
  EXPECT_EQ(after - before, 0U);
}

TEST_F(RoomIndexAllocationTest, SingleRoomBroadcastDoesNotAllocate) {
  const std::vector<std::string> rooms{"a-room-name-long-enough-to-need-the-heap-1"};
  std::size_t visited = 0;
  const std::size_t before = allocation_count;
  index_.for_each_target(rooms, {}, [&](FakeSocket*) { ++visited; });
  const std::size_t after = allocation_count;
  EXPECT_EQ(visited, 32U);
  EXPECT_EQ(after - before, 0U);
}

TEST_F(RoomIndexAllocationTest, FewRoomTargetsWithExceptDoNotAllocate) {
  const std::vector<std::string> rooms{"a-room-name-long-enough-to-need-the-heap-1",
                                       "a-room-name-long-enough-to-need-the-heap-2"};
  const std::vector<std::string> except{"a-room-name-long-enough-to-need-the-heap-3"};
  std::size_t visited = 0;
  const std::size_t before = allocation_count;
  index_.for_each_target(rooms, except, [&](FakeSocket*) { ++visited; });
  const std::size_t after = allocation_count;
  EXPECT_EQ(visited, 31U);
  EXPECT_EQ(after - before, 0U);
}

TEST_F(RoomIndexAllocationTest, CountingAllocatorSeesAllocations) {
  // Guards the other tests: if the counter were not wired in they would pass vacuously.
  const std::size_t before = allocation_count;
  index_.join(&members_[1], std::string_view("a-room-name-long-enough-to-need-the-heap-4"));
  EXPECT_GT(allocation_count - before, 0U);
}

}  // namespace
}  // namespace sg::rooms
