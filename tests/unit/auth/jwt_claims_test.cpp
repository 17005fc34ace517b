// Claims of a correctly signed token: exp/nbf with leeway, iss and aud when configured, and
// the user id from the configured claim.
#include "auth/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using test::test_now;
using test::test_now_seconds;

constexpr const char* kSecret = "claims-secret";

JwtConfig base_config() {
  JwtConfig config;
  config.secret = kSecret;
  config.leeway = std::chrono::seconds(30);
  return config;
}

VerifyResult verify_claims(const JwtConfig& config, const std::string& claims_json) {
  const JwtVerifier verifier(config);
  const std::string token =
      test::make_token(R"({"alg":"HS256"})", claims_json, test::hmac_signer(EVP_sha256(), kSecret));
  return verifier.verify(token, test_now());
}

std::string at(long long offset_seconds) { return std::to_string(test_now_seconds() + offset_seconds); }

TEST(JwtClaims, AcceptsTokenWithoutExpOrNbf) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice"})");
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "alice");
}

TEST(JwtClaims, RejectsExpiredToken) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","exp":)" + at(-31) + "}");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "expired");
}

TEST(JwtClaims, RejectsTokenExpiringExactlyAtNowWithoutLeeway) {
  JwtConfig config = base_config();
  config.leeway = std::chrono::seconds(0);
  const VerifyResult result = verify_claims(config, R"({"sub":"alice","exp":)" + at(0) + "}");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "expired");
}

TEST(JwtClaims, AcceptsExpiredTokenWithinLeeway) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","exp":)" + at(-29) + "}");
  EXPECT_TRUE(result.identity) << result.failure_reason;
}

TEST(JwtClaims, AcceptsFractionalExp) {
  const VerifyResult result =
      verify_claims(base_config(), R"({"sub":"alice","exp":)" + at(100) + ".5}");
  EXPECT_TRUE(result.identity) << result.failure_reason;
}

TEST(JwtClaims, RejectsNonNumericExp) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","exp":")" + at(100) + "\"}");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "exp is not a number");
}

TEST(JwtClaims, RejectsNotYetValidNbf) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","nbf":)" + at(31) + "}");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "not yet valid");
}

TEST(JwtClaims, AcceptsNbfWithinLeeway) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","nbf":)" + at(29) + "}");
  EXPECT_TRUE(result.identity) << result.failure_reason;
}

TEST(JwtClaims, RejectsNonNumericNbf) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","nbf":null})");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "nbf is not a number");
}

TEST(JwtClaims, IgnoresIat) {
  const VerifyResult result =
      verify_claims(base_config(), R"({"sub":"alice","iat":"not even a number","exp":)" + at(60) + "}");
  EXPECT_TRUE(result.identity) << result.failure_reason;
}

TEST(JwtClaims, AcceptsMatchingIssuer) {
  JwtConfig config = base_config();
  config.issuer = "https://issuer.example";
  const VerifyResult result = verify_claims(config, R"({"sub":"alice","iss":"https://issuer.example"})");
  EXPECT_TRUE(result.identity) << result.failure_reason;
}

TEST(JwtClaims, RejectsWrongIssuer) {
  JwtConfig config = base_config();
  config.issuer = "https://issuer.example";
  for (const char* claims : {R"({"sub":"alice","iss":"https://evil.example"})",
                             R"({"sub":"alice","iss":"https://issuer.example/"})",
                             R"({"sub":"alice","iss":["https://issuer.example"]})"}) {
    const VerifyResult result = verify_claims(config, claims);
    EXPECT_FALSE(result.identity) << claims;
    EXPECT_EQ(result.failure_reason, "wrong iss") << claims;
  }
}

TEST(JwtClaims, RejectsMissingIssuerWhenRequired) {
  JwtConfig config = base_config();
  config.issuer = "https://issuer.example";
  const VerifyResult result = verify_claims(config, R"({"sub":"alice"})");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "missing iss");
}

TEST(JwtClaims, AcceptsAudienceAsStringOrArrayContainingOurs) {
  JwtConfig config = base_config();
  config.audience = "gateway";
  for (const char* claims : {R"({"sub":"alice","aud":"gateway"})", R"({"sub":"alice","aud":["other","gateway"]})"}) {
    const VerifyResult result = verify_claims(config, claims);
    EXPECT_TRUE(result.identity) << claims << ": " << result.failure_reason;
  }
}

TEST(JwtClaims, RejectsWrongAudience) {
  JwtConfig config = base_config();
  config.audience = "gateway";
  const VerifyResult result = verify_claims(config, R"({"sub":"alice","aud":"billing"})");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "wrong aud");
}

TEST(JwtClaims, RejectsAudienceArrayWithoutOurs) {
  JwtConfig config = base_config();
  config.audience = "gateway";
  for (const char* claims : {R"({"sub":"alice","aud":["billing","search"]})", R"({"sub":"alice","aud":[]})",
                             R"({"sub":"alice","aud":[["gateway"]]})"}) {
    const VerifyResult result = verify_claims(config, claims);
    EXPECT_FALSE(result.identity) << claims;
    EXPECT_EQ(result.failure_reason, "wrong aud") << claims;
  }
}

TEST(JwtClaims, RejectsMissingAudienceWhenRequired) {
  JwtConfig config = base_config();
  config.audience = "gateway";
  const VerifyResult result = verify_claims(config, R"({"sub":"alice"})");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "missing aud");
}

TEST(JwtClaims, RejectsMissingUserClaim) {
  const VerifyResult result = verify_claims(base_config(), R"({"name":"alice"})");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "missing user claim");
}

TEST(JwtClaims, RejectsEmptyUserClaim) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":""})");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "empty user claim");
}

TEST(JwtClaims, AcceptsNumericUserClaimRenderedInDecimal) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":12345678901})");
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "12345678901");
}

TEST(JwtClaims, AcceptsLargestUnsignedUserClaim) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":18446744073709551615})");
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "18446744073709551615");
}

TEST(JwtClaims, RejectsUserClaimOfOtherTypes) {
  for (const char* claims : {R"({"sub":1.5})", R"({"sub":true})", R"({"sub":null})", R"({"sub":["a"]})",
                             R"({"sub":{"id":"a"}})"}) {
    const VerifyResult result = verify_claims(base_config(), claims);
    EXPECT_FALSE(result.identity) << claims;
    EXPECT_EQ(result.failure_reason, "user claim is not a string or an integer") << claims;
  }
}

TEST(JwtClaims, ReadsUserIdFromConfiguredClaim) {
  JwtConfig config = base_config();
  config.user_claim = "uid";
  const VerifyResult result = verify_claims(config, R"({"sub":"not-this","uid":"user-7"})");
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "user-7");
}

TEST(JwtClaims, ExposesAllClaimsOfAnAcceptedToken) {
  const VerifyResult result = verify_claims(base_config(), R"({"sub":"alice","role":"admin","n":[1,2]})");
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->claims.at("role").as_string(), "admin");
  EXPECT_EQ(result.identity->claims.at("n").as_array().size(), 2U);
}

}  // namespace
}  // namespace sg::auth
