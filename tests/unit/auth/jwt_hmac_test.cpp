// HS256/HS384/HS512: tokens minted independently (test-side HMAC) and by sign_hs_token are
// accepted with the right secret and refused with any change to bytes, secret or algorithm.
#include "auth/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using test::hmac_signer;
using test::make_token;
using test::test_now;
using test::valid_claims_json;
using ::testing::HasSubstr;

constexpr const char* kSecret = "correct horse battery staple";

JwtConfig hs_config(std::vector<std::string> algorithms = {}) {
  JwtConfig config;
  config.secret = kSecret;
  config.algorithms = std::move(algorithms);
  return config;
}

TEST(JwtHmac, AcceptsValidHs256Token) {
  const JwtVerifier verifier(hs_config());
  const std::string token = make_token(R"({"alg":"HS256","typ":"JWT"})", valid_claims_json(),
                                       hmac_signer(EVP_sha256(), kSecret));
  const VerifyResult result = verifier.verify(token, test_now());
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "alice");
  EXPECT_EQ(result.identity->claims.at("sub").as_string(), "alice");
}

TEST(JwtHmac, AcceptsValidHs384Token) {
  const JwtVerifier verifier(hs_config({"HS384"}));
  const std::string token =
      make_token(R"({"alg":"HS384"})", valid_claims_json(), hmac_signer(EVP_sha384(), kSecret));
  const VerifyResult result = verifier.verify(token, test_now());
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "alice");
}

TEST(JwtHmac, AcceptsValidHs512Token) {
  const JwtVerifier verifier(hs_config({"HS512"}));
  const std::string token =
      make_token(R"({"alg":"HS512"})", valid_claims_json(), hmac_signer(EVP_sha512(), kSecret));
  const VerifyResult result = verifier.verify(token, test_now());
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "alice");
}

TEST(JwtHmac, AcceptsTokensMintedBySignHsTokenForEachHsAlgorithm) {
  const JwtVerifier verifier(hs_config({"HS256", "HS384", "HS512"}));
  boost::json::object claims{{"sub", "bob"}, {"exp", test::test_now_seconds() + 60}};
  for (const char* algorithm : {"HS256", "HS384", "HS512"}) {
    const VerifyResult result = verifier.verify(sign_hs_token(claims, kSecret, algorithm), test_now());
    ASSERT_TRUE(result.identity) << algorithm << ": " << result.failure_reason;
    EXPECT_EQ(result.identity->user_id, "bob");
  }
}

TEST(JwtHmac, SignHsTokenWritesTheAlgorithmAndTypInTheHeader) {
  const std::string token = sign_hs_token({{"sub", "x"}}, kSecret, "HS384");
  const std::string expected_header = test::base64url(R"({"alg":"HS384","typ":"JWT"})");
  EXPECT_EQ(token.substr(0, token.find('.')), expected_header);
}

TEST(JwtHmac, SignHsTokenMatchesAnIndependentHmac) {
  const boost::json::object claims{{"sub", "carol"}};
  const std::string token = sign_hs_token(claims, kSecret, "HS256");
  EXPECT_EQ(token, make_token(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"carol"})",
                              hmac_signer(EVP_sha256(), kSecret)));
}

TEST(JwtHmac, SignHsTokenRefusesNonHmacAlgorithms) {
  for (const char* algorithm : {"RS256", "ES256", "none", "hs256", ""}) {
    EXPECT_THROW(sign_hs_token({{"sub", "x"}}, kSecret, algorithm), std::invalid_argument) << algorithm;
  }
}

TEST(JwtHmac, RejectsTokenSignedWithAnotherSecret) {
  const JwtVerifier verifier(hs_config());
  const std::string token =
      make_token(R"({"alg":"HS256"})", valid_claims_json(), hmac_signer(EVP_sha256(), "another secret"));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtHmac, RejectsBadSignatureWithOneFlippedByte) {
  const JwtVerifier verifier(hs_config());
  const std::string good = sign_hs_token({{"sub", "alice"}}, kSecret);
  ASSERT_TRUE(verifier.verify(good, test_now()).identity);
  // Flip one bit of the last full signature character ('A' <-> 'B' stays valid base64url).
  std::string forged = good;
  char& c = forged[forged.size() - 2];
  c = (c == 'A') ? 'B' : 'A';
  const VerifyResult result = verifier.verify(forged, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtHmac, RejectsChangedClaimsUnderTheOriginalSignature) {
  const JwtVerifier verifier(hs_config());
  const std::string good = sign_hs_token({{"sub", "alice"}}, kSecret);
  const std::size_t first_dot = good.find('.');
  const std::size_t second_dot = good.find('.', first_dot + 1);
  const std::string forged =
      good.substr(0, first_dot + 1) + test::base64url(R"({"sub":"admin"})") + good.substr(second_dot);
  const VerifyResult result = verifier.verify(forged, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtHmac, RejectsTruncatedSignature) {
  const JwtVerifier verifier(hs_config());
  const std::string good = sign_hs_token({{"sub", "alice"}}, kSecret);
  const VerifyResult result = verifier.verify(good.substr(0, good.size() - 4), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_THAT(result.failure_reason, HasSubstr("signature"));
}

TEST(JwtHmac, RejectsHs256TokenWhenOnlyHs512IsPinned) {
  const JwtVerifier verifier(hs_config({"HS512"}));
  const VerifyResult result = verifier.verify(sign_hs_token({{"sub", "alice"}}, kSecret, "HS256"), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_THAT(result.failure_reason, HasSubstr("alg not allowed"));
}

TEST(JwtHmac, RejectsTokenWhoseHeaderClaimsAnotherHsAlgorithmThanItsMac) {
  // A HS256 MAC under a header saying HS512 must not verify.
  const JwtVerifier verifier(hs_config({"HS256", "HS512"}));
  const std::string token =
      make_token(R"({"alg":"HS512"})", valid_claims_json(), hmac_signer(EVP_sha256(), kSecret));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

}  // namespace
}  // namespace sg::auth
