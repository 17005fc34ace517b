// RS256 and ES256: tokens signed with freshly generated RSA-2048 / P-256 keys are accepted
// with the matching PEM public key and refused with another key, a changed byte or the wrong
// signature encoding.
#include "auth/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using test::make_token;
using test::test_now;
using test::valid_claims_json;
using ::testing::HasSubstr;

JwtConfig key_config(const test::TestKeyPair& keys, std::vector<std::string> algorithms = {}) {
  JwtConfig config;
  config.public_key_pem = keys.public_pem;
  config.algorithms = std::move(algorithms);
  return config;
}

std::string flip_one_signature_byte(std::string token) {
  // Changing a character in the middle of the signature segment changes decoded bytes there.
  const std::size_t signature_start = token.rfind('.') + 1;
  char& c = token[signature_start + (token.size() - signature_start) / 2];
  c = (c == 'A') ? 'B' : 'A';
  return token;
}

TEST(JwtPublicKey, AcceptsValidRs256Token) {
  const JwtVerifier verifier(key_config(test::rsa_2048_keys()));
  const std::string token =
      make_token(R"({"alg":"RS256","typ":"JWT"})", valid_claims_json(), test::rs256_signer(test::rsa_2048_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "alice");
}

TEST(JwtPublicKey, AcceptsValidEs256Token) {
  const JwtVerifier verifier(key_config(test::p256_keys()));
  const std::string token =
      make_token(R"({"alg":"ES256","typ":"JWT"})", valid_claims_json(), test::es256_signer(test::p256_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  ASSERT_TRUE(result.identity) << result.failure_reason;
  EXPECT_EQ(result.identity->user_id, "alice");
}

TEST(JwtPublicKey, AcceptsManyEs256SignaturesIncludingShortRandS) {
  // r or s below 2^248 has a leading zero byte in its 32-byte form; the conversion to DER has
  // to cope. 64 signatures make such a case likely (about 1 in 64 per signature).
  const JwtVerifier verifier(key_config(test::p256_keys()));
  for (int i = 0; i < 64; ++i) {
    const std::string claims = R"({"sub":"user)" + std::to_string(i) + R"("})";
    const std::string token = make_token(R"({"alg":"ES256"})", claims, test::es256_signer(test::p256_keys()));
    const VerifyResult result = verifier.verify(token, test_now());
    ASSERT_TRUE(result.identity) << i << ": " << result.failure_reason;
    EXPECT_EQ(result.identity->user_id, "user" + std::to_string(i));
  }
}

TEST(JwtPublicKey, RejectsRs256TokenSignedByAnotherKey) {
  const JwtVerifier verifier(key_config(test::rsa_2048_keys()));
  const std::string token =
      make_token(R"({"alg":"RS256"})", valid_claims_json(), test::rs256_signer(test::other_rsa_2048_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtPublicKey, RejectsEs256TokenSignedByAnotherKey) {
  const JwtVerifier verifier(key_config(test::p256_keys()));
  const std::string token =
      make_token(R"({"alg":"ES256"})", valid_claims_json(), test::es256_signer(test::other_p256_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtPublicKey, RejectsRs256TokenWithFlippedSignatureByte) {
  const JwtVerifier verifier(key_config(test::rsa_2048_keys()));
  const std::string good =
      make_token(R"({"alg":"RS256"})", valid_claims_json(), test::rs256_signer(test::rsa_2048_keys()));
  ASSERT_TRUE(verifier.verify(good, test_now()).identity);
  const VerifyResult result = verifier.verify(flip_one_signature_byte(good), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtPublicKey, RejectsEs256TokenWithFlippedSignatureByte) {
  const JwtVerifier verifier(key_config(test::p256_keys()));
  const std::string good =
      make_token(R"({"alg":"ES256"})", valid_claims_json(), test::es256_signer(test::p256_keys()));
  ASSERT_TRUE(verifier.verify(good, test_now()).identity);
  const VerifyResult result = verifier.verify(flip_one_signature_byte(good), test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtPublicKey, RejectsEs256SignatureInDerFormInsteadOfRawRS) {
  const JwtVerifier verifier(key_config(test::p256_keys()));
  const std::string token =
      make_token(R"({"alg":"ES256"})", valid_claims_json(), test::es256_der_signer(test::p256_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_EQ(result.failure_reason, "bad signature");
}

TEST(JwtPublicKey, RejectsEs256SignatureOfWrongLength) {
  const JwtVerifier verifier(key_config(test::p256_keys()));
  const test::Signer good_signer = test::es256_signer(test::p256_keys());
  for (const std::size_t length : {0U, 32U, 63U, 65U, 96U}) {
    const test::Signer resized = [&](std::string_view input) {
      std::string signature = good_signer(input);
      signature.resize(length, '\x01');
      return signature;
    };
    const VerifyResult result =
        verifier.verify(make_token(R"({"alg":"ES256"})", valid_claims_json(), resized), test_now());
    EXPECT_FALSE(result.identity) << length;
    EXPECT_EQ(result.failure_reason, "bad signature") << length;
  }
}

TEST(JwtPublicKey, RejectsEs256TokenAgainstAnRsaKey) {
  // Default algorithms with an RSA key are RS256 only: ES256 has no key to verify with.
  const JwtVerifier verifier(key_config(test::rsa_2048_keys()));
  const std::string token =
      make_token(R"({"alg":"ES256"})", valid_claims_json(), test::es256_signer(test::p256_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_THAT(result.failure_reason, HasSubstr("alg not allowed"));
}

TEST(JwtPublicKey, RejectsRs256TokenAgainstAnEcKey) {
  const JwtVerifier verifier(key_config(test::p256_keys()));
  const std::string token =
      make_token(R"({"alg":"RS256"})", valid_claims_json(), test::rs256_signer(test::rsa_2048_keys()));
  const VerifyResult result = verifier.verify(token, test_now());
  EXPECT_FALSE(result.identity);
  EXPECT_THAT(result.failure_reason, HasSubstr("alg not allowed"));
}

TEST(JwtPublicKey, AcceptsBothHsAndRsTokensWhenSecretAndKeyAreConfigured) {
  JwtConfig config = key_config(test::rsa_2048_keys());
  config.secret = "shared";
  const JwtVerifier verifier(std::move(config));
  const std::string rs_token =
      make_token(R"({"alg":"RS256"})", valid_claims_json(), test::rs256_signer(test::rsa_2048_keys()));
  EXPECT_TRUE(verifier.verify(rs_token, test_now()).identity);
  EXPECT_TRUE(verifier.verify(sign_hs_token({{"sub", "a"}}, "shared"), test_now()).identity);
}

}  // namespace
}  // namespace sg::auth
