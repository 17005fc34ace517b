// The header's "alg" is attacker-chosen: it must be in the pinned list and fit the key kind.
// These tests forge the classic attacks: alg "none" (with and without a signature) and the
// HS/RS confusion where the RSA public key PEM is used as the HMAC secret.
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

JwtConfig hs256_config() {
  JwtConfig config;
  config.secret = "secret";
  return config;
}

TEST(JwtAlgorithmAttack, RejectsAlgNoneWithoutSignature) {
  const JwtVerifier verifier(hs256_config());
  const VerifyResult result = verifier.verify(make_token(R"({"alg":"none"})", valid_claims_json()), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "alg not allowed: none");
}

TEST(JwtAlgorithmAttack, RejectsAlgNoneWithSignature) {
  const JwtVerifier verifier(hs256_config());
  const std::string token = make_token(R"({"alg":"none"})", valid_claims_json(), hmac_signer(EVP_sha256(), "secret"));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "alg not allowed: none");
}

TEST(JwtAlgorithmAttack, RejectsAlgNoneInOtherSpellings) {
  const JwtVerifier verifier(hs256_config());
  for (const char* header : {R"({"alg":"None"})", R"({"alg":"NONE"})", R"({"alg":"nOnE"})", R"({"alg":""})"}) {
    const VerifyResult result = verifier.verify(make_token(header, valid_claims_json()), test_now());
    EXPECT_FALSE(result.identity) << header;
    EXPECT_THAT(result.failure_reason, HasSubstr("alg not allowed")) << header;
  }
}

TEST(JwtAlgorithmAttack, RejectsHs256TokenSignedWithRsaPublicKeyPemAsSecret) {
  // The verifier holds only the RSA public key; the attacker knows it and MACs with it.
  JwtConfig config;
  config.public_key_pem = test::rsa_2048_keys().public_pem;
  config.algorithms = {"RS256"};
  const JwtVerifier verifier(std::move(config));
  const std::string forged =
      make_token(R"({"alg":"HS256","typ":"JWT"})", valid_claims_json(),
                 hmac_signer(EVP_sha256(), test::rsa_2048_keys().public_pem));
  const VerifyResult result = verifier.verify(forged, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "alg not allowed: HS256");
}

TEST(JwtAlgorithmAttack, RejectsHsTokenSignedWithPublicKeyPemEvenWhenHsIsNamedWithoutSecret) {
  // Pinning HS256 without a secret is a config error, so the confusion cannot be configured in.
  JwtConfig config;
  config.public_key_pem = test::rsa_2048_keys().public_pem;
  config.algorithms = {"RS256", "HS256"};
  EXPECT_THROW(JwtVerifier{std::move(config)}, std::invalid_argument);
}

TEST(JwtAlgorithmAttack, RejectsAlgNotInPinnedList) {
  JwtConfig config = hs256_config();
  config.algorithms = {"HS256"};
  const JwtVerifier verifier(std::move(config));
  const std::string token = make_token(R"({"alg":"HS384"})", valid_claims_json(), hmac_signer(EVP_sha384(), "secret"));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "alg not allowed: HS384");
}

TEST(JwtAlgorithmAttack, RejectsUnknownAlgorithmNames) {
  const JwtVerifier verifier(hs256_config());
  for (const char* header : {R"({"alg":"HS1"})", R"({"alg":"PS256"})", R"({"alg":"hs256"})", R"({"alg":"EdDSA"})"}) {
    const VerifyResult result =
        verifier.verify(make_token(header, valid_claims_json(), hmac_signer(EVP_sha256(), "secret")), test_now());
    EXPECT_FALSE(result.identity) << header;
    EXPECT_THAT(result.failure_reason, HasSubstr("alg not allowed")) << header;
  }
}

TEST(JwtAlgorithmAttack, RejectsHeaderWithoutAlg) {
  const JwtVerifier verifier(hs256_config());
  const std::string token = make_token(R"({"typ":"JWT"})", valid_claims_json(), hmac_signer(EVP_sha256(), "secret"));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "header has no alg");
}

TEST(JwtAlgorithmAttack, RejectsAlgThatIsNotAString) {
  const JwtVerifier verifier(hs256_config());
  for (const char* header : {R"({"alg":null})", R"({"alg":["HS256"]})", R"({"alg":256})"}) {
    const VerifyResult result =
        verifier.verify(make_token(header, valid_claims_json(), hmac_signer(EVP_sha256(), "secret")), test_now());
    EXPECT_FALSE(result.identity) << header;
    EXPECT_EQ(result.failure_reason, "header has no alg") << header;
  }
}

TEST(JwtAlgorithmAttack, LogReasonDoesNotEchoControlCharactersFromAlg) {
  const JwtVerifier verifier(hs256_config());
  const VerifyResult result =
      verifier.verify(make_token("{\"alg\":\"x\\ny\"}", valid_claims_json()), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "alg not allowed: x?y");
}

TEST(JwtAlgorithmAttack, AcceptsTypJwtInAnyCase) {
  const JwtVerifier verifier(hs256_config());
  for (const char* header : {R"({"alg":"HS256","typ":"JWT"})", R"({"alg":"HS256","typ":"jwt"})",
                             R"({"alg":"HS256","typ":"Jwt"})"}) {
    const VerifyResult result =
        verifier.verify(make_token(header, valid_claims_json(), hmac_signer(EVP_sha256(), "secret")), test_now());
    EXPECT_TRUE(result.identity) << header << ": " << result.failure_reason;
  }
}

TEST(JwtAlgorithmAttack, RejectsTypOtherThanJwt) {
  const JwtVerifier verifier(hs256_config());
  for (const char* header : {R"({"alg":"HS256","typ":"JWS"})", R"({"alg":"HS256","typ":"at+jwt"})",
                             R"({"alg":"HS256","typ":1})"}) {
    const VerifyResult result =
        verifier.verify(make_token(header, valid_claims_json(), hmac_signer(EVP_sha256(), "secret")), test_now());
    EXPECT_FALSE(result.identity) << header;
    EXPECT_EQ(result.failure_reason, "typ is not JWT") << header;
  }
}

TEST(JwtAlgorithmAttack, RejectsCritHeaderExtensions) {
  const JwtVerifier verifier(hs256_config());
  const std::string token = make_token(R"({"alg":"HS256","crit":["exp"],"exp":1})", valid_claims_json(),
                                       hmac_signer(EVP_sha256(), "secret"));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "unsupported crit header");
}

}  // namespace
}  // namespace sg::auth
