// PENDING FIX (src/sio/shard_state.cpp, bearer_token): tests that fail today because of a
// source bug, kept apart so the rest of unit_sio stays green. Run them alone with
// --gtest_filter='PendingFix*'; exclude them with --gtest_filter='-PendingFix*'.
//
// The Authorization scheme name is case-insensitive (RFC 9110 §11.1: "It uses a
// case-insensitive token to identify the authentication scheme"), and the token is separated
// from it by one or more spaces (§11.4, 1*SP). bearer_token() matches the exact prefix
// "Bearer ", so "bearer <token>" or "BEARER <token>" is refused as Unauthorized.
#include "gateway_harness.hpp"

#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sg::sio {
namespace {

using testing::GatewayHarness;
using testing::PollingClient;

TEST(PendingFixBearerScheme, AcceptsTheBearerSchemeInAnyCase) {
  GatewayOptions options = testing::quiet_options();
  auth::JwtConfig config;
  config.secret = "unit-test-secret-of-some-length";
  options.jwt = std::make_shared<const auth::JwtVerifier>(config);
  GatewayHarness harness(options);
  const std::string token = auth::sign_hs_token(boost::json::object{{"sub", "erin"}}, config.secret);

  for (const std::string scheme : {"bearer", "BEARER", "bEaReR"}) {
    PollingClient client(harness, scheme + " " + token);
    const std::string sid = client.connect();
    EXPECT_FALSE(sid.empty()) << scheme << ": " << client.last_connect_reply;
  }
  EXPECT_EQ(harness.gateway.metrics().auth_failures.load(), 0u);
}

}  // namespace
}  // namespace sg::sio
