// Tokens that are not well-formed compact JWS: wrong segment counts, bad base64url, headers
// and claims that are not JSON objects, empty and oversized input. Every one is refused with
// a reason and none of them throws.
#include "auth/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using test::hmac_signer;
using test::make_token;
using test::test_now;
using test::valid_claims_json;

constexpr const char* kSecret = "malformed-secret";

class JwtMalformedToken : public ::testing::Test {
 protected:
  static JwtConfig config() {
    JwtConfig config;
    config.secret = kSecret;
    return config;
  }

  VerifyResult verify(std::string_view token) const { return verifier_.verify(token, test_now()); }

  std::string good_token() const {
    return make_token(R"({"alg":"HS256"})", valid_claims_json(), hmac_signer(EVP_sha256(), kSecret));
  }

  JwtVerifier verifier_{config()};
};

TEST_F(JwtMalformedToken, AcceptsTheUnmodifiedToken) { EXPECT_TRUE(verify(good_token()).identity); }

TEST_F(JwtMalformedToken, RejectsEmptyToken) {
  const VerifyResult result = verify("");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "empty token");
}

TEST_F(JwtMalformedToken, RejectsTruncatedToken) {
  const std::string token = good_token();
  for (const std::size_t keep : {token.size() - 1, token.size() / 2, token.find('.') + 1, std::size_t{5}}) {
    const VerifyResult result = verify(std::string_view(token).substr(0, keep));
    EXPECT_FALSE(result.identity) << keep;
    EXPECT_FALSE(result.failure_reason.empty()) << keep;
  }
}

TEST_F(JwtMalformedToken, RejectsTwoSegments) {
  const std::string token = good_token();
  const VerifyResult result = verify(std::string_view(token).substr(0, token.rfind('.')));
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "token does not have three segments");
}

TEST_F(JwtMalformedToken, RejectsFourSegments) {
  const VerifyResult result = verify(good_token() + ".AAAA");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "token does not have three segments");
}

TEST_F(JwtMalformedToken, RejectsOneSegmentAndEmptySegments) {
  for (const char* token : {"abc", ".", "..", "...", "a..", "..c"}) {
    const VerifyResult result = verify(token);
    EXPECT_FALSE(result.identity) << token;
    EXPECT_FALSE(result.failure_reason.empty()) << token;
  }
}

TEST_F(JwtMalformedToken, RejectsGarbageBase64InHeader) {
  const std::string token = good_token();
  const VerifyResult result = verify("e$J*!" + token.substr(token.find('.')));
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "header is not base64url");
}

TEST_F(JwtMalformedToken, RejectsGarbageBase64InSignature) {
  const std::string token = good_token();
  const VerifyResult result = verify(token.substr(0, token.rfind('.') + 1) + "!!!!");
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "signature is not base64url");
}

TEST_F(JwtMalformedToken, RejectsGarbageBase64InClaims) {
  // The signature covers the garbage segment as sent, so the claims decoding is what fails.
  const std::string token = make_token(R"({"alg":"HS256"})", "", {});
  const std::string header = token.substr(0, token.find('.'));
  const std::string signing_input = header + ".%%%%";
  const std::string forged = signing_input + "." + test::base64url(hmac_signer(EVP_sha256(), kSecret)(signing_input));
  const VerifyResult result = verify(forged);
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "claims is not base64url");
}

TEST_F(JwtMalformedToken, RejectsNonJsonHeader) {
  const VerifyResult result =
      verify(make_token(R"({"alg":"HS256")", valid_claims_json(), hmac_signer(EVP_sha256(), kSecret)));
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "header is not JSON");
}

TEST_F(JwtMalformedToken, RejectsHeaderThatIsNotAnObject) {
  for (const char* header : {R"(["HS256"])", R"("HS256")", "42", "null"}) {
    const VerifyResult result = verify(make_token(header, valid_claims_json(), hmac_signer(EVP_sha256(), kSecret)));
    EXPECT_FALSE(result.identity) << header;
    EXPECT_EQ(result.failure_reason, "header is not an object") << header;
  }
}

TEST_F(JwtMalformedToken, RejectsNonJsonClaims) {
  const VerifyResult result =
      verify(make_token(R"({"alg":"HS256"})", R"({"sub":"alice",)", hmac_signer(EVP_sha256(), kSecret)));
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "claims is not JSON");
}

TEST_F(JwtMalformedToken, RejectsClaimsThatAreNotAnObject) {
  for (const char* claims : {R"(["alice"])", R"("alice")", "1", "true"}) {
    const VerifyResult result = verify(make_token(R"({"alg":"HS256"})", claims, hmac_signer(EVP_sha256(), kSecret)));
    EXPECT_FALSE(result.identity) << claims;
    EXPECT_EQ(result.failure_reason, "claims is not an object") << claims;
  }
}

TEST_F(JwtMalformedToken, RejectsDeeplyNestedJsonWithoutThrowing) {
  const std::string deep_claims = R"({"sub":"alice","x":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  JwtConfig roomy = config();
  roomy.max_token_bytes = 1 << 20;
  const JwtVerifier verifier(std::move(roomy));
  const VerifyResult result = verifier.verify(
      make_token(R"({"alg":"HS256"})", deep_claims, hmac_signer(EVP_sha256(), kSecret)), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "claims is not JSON");
}

TEST_F(JwtMalformedToken, RejectsHugeTokenBeforeParsing) {
  // 1 MB of a token that would otherwise be valid: the size check refuses it first.
  const std::string claims = R"({"sub":"alice","pad":")" + std::string(1 << 20, 'x') + "\"}";
  const std::string token = make_token(R"({"alg":"HS256"})", claims, hmac_signer(EVP_sha256(), kSecret));
  const VerifyResult result = verify(token);
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "token too large");
}

TEST_F(JwtMalformedToken, RejectsTokenOneByteOverTheConfiguredLimit) {
  const std::string token = good_token();
  JwtConfig tight = config();
  tight.max_token_bytes = token.size();
  const JwtVerifier at_limit(tight);
  EXPECT_TRUE(at_limit.verify(token, test_now()).identity);
  tight.max_token_bytes = token.size() - 1;
  const JwtVerifier below_limit(tight);
  EXPECT_EQ(below_limit.verify(token, test_now()).failure_reason, "token too large");
}

TEST_F(JwtMalformedToken, RejectsTokenWithSurroundingWhitespace) {
  EXPECT_FALSE(verify(" " + good_token()).identity);
  EXPECT_FALSE(verify(good_token() + "\n").identity);
}

}  // namespace
}  // namespace sg::auth
