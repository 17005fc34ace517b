// Admission: the server-wide and per-address session limits, the handshake token bucket and
// its refill, places given back when sessions end, and the refusal counters.
#include "eio/admission.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sg::eio {
namespace {

using Refusal = Admission::Refusal;

TEST(Admission, NoLimitsAdmitEveryone) {
  Admission admission({});
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(admission.check("10.0.0.1"), Refusal::none);
    admission.opened("10.0.0.1");
  }
}

TEST(Admission, ServerWideLimitAndPlacesGivenBack) {
  Admission admission({2, 0, 0, 0});
  for (const char* address : {"10.0.0.1", "10.0.0.2"}) {
    ASSERT_EQ(admission.check(address), Refusal::none);
    admission.opened(address);
  }
  EXPECT_EQ(admission.check("10.0.0.3"), Refusal::server_full);
  admission.closed("10.0.0.1");
  EXPECT_EQ(admission.check("10.0.0.3"), Refusal::none);
  EXPECT_EQ(admission.refused(Refusal::server_full), 1u);
}

TEST(Admission, PerAddressLimitLeavesOtherAddressesAlone) {
  Admission admission({0, 2, 0, 0});
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(admission.check("10.0.0.1"), Refusal::none);
    admission.opened("10.0.0.1");
  }
  EXPECT_EQ(admission.check("10.0.0.1"), Refusal::address_full);
  EXPECT_EQ(admission.check("10.0.0.2"), Refusal::none);
  admission.closed("10.0.0.1");
  EXPECT_EQ(admission.check("10.0.0.1"), Refusal::none);
  EXPECT_EQ(admission.refused(Refusal::address_full), 1u);
}

TEST(Admission, HandshakeBucketEmptiesAndRefills) {
  Admission admission({0, 0, 20, 2});  // 20 per second, bursts of 2
  EXPECT_EQ(admission.check("10.0.0.1"), Refusal::none);
  EXPECT_EQ(admission.check("10.0.0.1"), Refusal::none);
  EXPECT_EQ(admission.check("10.0.0.1"), Refusal::handshake_rate);
  EXPECT_EQ(admission.check("10.0.0.2"), Refusal::none);  // another address has its own bucket
  std::this_thread::sleep_for(std::chrono::milliseconds(120));  // > one token at 20/s
  EXPECT_EQ(admission.check("10.0.0.1"), Refusal::none);
  EXPECT_EQ(admission.refused(Refusal::handshake_rate), 1u);
}

}  // namespace
}  // namespace sg::eio
