// WriteBudget (write_budget.hpp): "ready" until the pending bytes pass the high-water mark,
// then exactly one wake-up when they fall to the low-water mark — claimed by the shard when
// it drains later, or by the sender itself when the shard drained everything first — and a
// waiting sender released when the connection goes.
#include "../../../src/net/write_budget.hpp"

#include <gtest/gtest.h>

namespace sg::net {
namespace {

TEST(WriteBudget, ReadyUnderTheHighWaterMark) {
  WriteBudget budget;
  EXPECT_TRUE(budget.add(kForwardHighWater));
  EXPECT_FALSE(budget.written(kForwardHighWater));  // nobody waits: no wake-up
}

TEST(WriteBudget, OverTheMarkTheShardWakesTheSenderOnceAtTheLowWaterMark) {
  WriteBudget budget;
  EXPECT_FALSE(budget.add(kForwardHighWater + 1));
  EXPECT_FALSE(budget.written(kForwardHighWater + 1 - kForwardLowWater - 1));  // still above low water
  EXPECT_TRUE(budget.written(1));                                               // at low water: wake
  EXPECT_FALSE(budget.written(kForwardLowWater));                               // only once
}

TEST(WriteBudget, AWaitingSenderIsReleasedWhenTheConnectionGoes) {
  WriteBudget budget;
  EXPECT_FALSE(budget.add(kForwardHighWater * 2));
  EXPECT_TRUE(budget.release_waiter());
  EXPECT_FALSE(budget.release_waiter());
  EXPECT_FALSE(budget.written(kForwardHighWater * 2));
}

TEST(WriteBudget, ManySmallSendsPassTheMarkTogether) {
  WriteBudget budget;
  std::size_t sent = 0;
  while (budget.add(1024)) sent += 1024;
  EXPECT_GT(sent + 1024, kForwardHighWater);
  EXPECT_TRUE(budget.written(sent + 1024));
}

}  // namespace
}  // namespace sg::net
