// The Authorization header's scheme name is case-insensitive (RFC 9110 §11.1) and the token
// follows one or more spaces (§11.4, 1*SP): "bearer <token>" and "BEARER  <token>" authenticate
// a CONNECT like "Bearer <token>".
#include "gateway_harness.hpp"

#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sg::sio {
namespace {

using testing::GatewayHarness;
using testing::PollingClient;

TEST(BearerScheme, AcceptsTheBearerSchemeInAnyCase) {
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
