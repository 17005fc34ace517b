// A JwtConfig that cannot verify anything is refused at construction with
// std::invalid_argument, so the gateway never starts half-configured.
#include "auth/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

JwtConfig with_key(const std::string& pem, std::vector<std::string> algorithms = {}) {
  JwtConfig config;
  config.public_key_pem = pem;
  config.algorithms = std::move(algorithms);
  return config;
}

std::string pem_of_small_rsa_key() {
  test::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

TEST(JwtConfig, ThrowsWithoutSecretOrKey) { EXPECT_THROW(JwtVerifier{JwtConfig{}}, std::invalid_argument); }

TEST(JwtConfig, ThrowsOnBadPem) {
  EXPECT_THROW(JwtVerifier{with_key("not a pem")}, std::invalid_argument);
  EXPECT_THROW(JwtVerifier{with_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")},
               std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnTruncatedPem) {
  const std::string pem = test::rsa_2048_keys().public_pem;
  EXPECT_THROW(JwtVerifier{with_key(pem.substr(0, pem.size() / 2))}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnUnknownAlgorithm) {
  JwtConfig config;
  config.secret = "s";
  config.algorithms = {"HS256", "XS999"};
  EXPECT_THROW(JwtVerifier{config}, std::invalid_argument);
  config.algorithms = {"none"};
  EXPECT_THROW(JwtVerifier{config}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnHsAlgorithmWithoutSecret) {
  EXPECT_THROW(JwtVerifier{with_key(test::rsa_2048_keys().public_pem, {"HS256"})}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnPublicKeyAlgorithmWithoutKey) {
  JwtConfig config;
  config.secret = "s";
  config.algorithms = {"RS256"};
  EXPECT_THROW(JwtVerifier{config}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsWhenNoPinnedAlgorithmFitsTheKey) {
  EXPECT_THROW(JwtVerifier{with_key(test::rsa_2048_keys().public_pem, {"ES256"})}, std::invalid_argument);
  EXPECT_THROW(JwtVerifier{with_key(test::p256_keys().public_pem, {"RS256"})}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnRsaKeyShorterThan2048Bits) {
  EXPECT_THROW(JwtVerifier{with_key(pem_of_small_rsa_key())}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnEcKeyOnAnotherCurve) {
  test::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  EXPECT_THROW(JwtVerifier{with_key(std::string(data, static_cast<std::size_t>(length)))}, std::invalid_argument);
}

TEST(JwtConfig, ThrowsOnNegativeLeeway) {
  JwtConfig config;
  config.secret = "s";
  config.leeway = std::chrono::seconds(-1);
  EXPECT_THROW(JwtVerifier{config}, std::invalid_argument);
}

TEST(JwtConfig, AcceptsRsAndEsPairsListedTogetherWithAKeyOfOneKind) {
  // The documented default list "RS256,ES256" written out explicitly works with either key.
  EXPECT_NO_THROW(JwtVerifier{with_key(test::rsa_2048_keys().public_pem, {"RS256", "ES256"})});
  EXPECT_NO_THROW(JwtVerifier{with_key(test::p256_keys().public_pem, {"RS256", "ES256"})});
}

TEST(JwtConfig, AcceptsSecretOnlyAndKeyOnlyConfigs) {
  JwtConfig secret_only;
  secret_only.secret = "s";
  EXPECT_NO_THROW(JwtVerifier{secret_only});
  EXPECT_NO_THROW(JwtVerifier{with_key(test::p256_keys().public_pem)});
}

}  // namespace
}  // namespace sg::auth
