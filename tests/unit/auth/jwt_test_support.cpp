// Test-side key generation and token forging (see jwt_test_support.hpp).
// Threading: test thread only.
#include "jwt_test_support.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace sg::auth::test {

namespace {

constexpr long long kNowSeconds = 1'700'000'000;

const unsigned char* bytes_of(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

std::string public_pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

TestKeyPair make_pair(EVP_PKEY* generated) {
  if (generated == nullptr) throw std::runtime_error("key generation failed");
  TestKeyPair pair{PkeyPtr(generated), {}};
  pair.public_pem = public_pem_of(pair.private_key.get());
  return pair;
}

TestKeyPair generate_rsa() { return make_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))); }
TestKeyPair generate_p256() { return make_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

std::string digest_sign(EVP_PKEY* key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    throw std::runtime_error("EVP_DigestSignInit");
  }
  std::size_t length = 0;
  if (EVP_DigestSign(context.get(), nullptr, &length, bytes_of(input), input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign (size)");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes_of(input),
                     input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign");
  }
  signature.resize(length);
  return signature;
}

std::string der_to_raw_rs(std::string_view der) {
  const unsigned char* cursor = bytes_of(der);
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(
      d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!signature) throw std::runtime_error("d2i_ECDSA_SIG");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32) throw std::runtime_error("BN_bn2binpad");
  return raw;
}

}  // namespace

const TestKeyPair& rsa_2048_keys() {
  static const TestKeyPair keys = generate_rsa();
  return keys;
}
const TestKeyPair& p256_keys() {
  static const TestKeyPair keys = generate_p256();
  return keys;
}
const TestKeyPair& other_rsa_2048_keys() {
  static const TestKeyPair keys = generate_rsa();
  return keys;
}
const TestKeyPair& other_p256_keys() {
  static const TestKeyPair keys = generate_p256();
  return keys;
}

std::string base64url(std::string_view bytes) {
  std::vector<unsigned char> encoded(4 * ((bytes.size() + 2) / 3) + 1);
  const int length = EVP_EncodeBlock(encoded.data(), bytes_of(bytes), static_cast<int>(bytes.size()));
  std::string text(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(length));
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

Signer hmac_signer(const EVP_MD* digest, std::string secret) {
  return [digest, secret = std::move(secret)](std::string_view input) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    HMAC(digest, secret.data(), static_cast<int>(secret.size()), bytes_of(input), input.size(), mac.data(), &length);
    return std::string(reinterpret_cast<const char*>(mac.data()), length);
  };
}

Signer rs256_signer(const TestKeyPair& keys) {
  EVP_PKEY* key = keys.private_key.get();
  return [key](std::string_view input) { return digest_sign(key, input); };
}

Signer es256_signer(const TestKeyPair& keys) {
  EVP_PKEY* key = keys.private_key.get();
  return [key](std::string_view input) { return der_to_raw_rs(digest_sign(key, input)); };
}

Signer es256_der_signer(const TestKeyPair& keys) {
  EVP_PKEY* key = keys.private_key.get();
  return [key](std::string_view input) { return digest_sign(key, input); };
}

std::string make_token(std::string_view header_json, std::string_view claims_json, const Signer& signer) {
  std::string token = base64url(header_json) + "." + base64url(claims_json);
  const std::string signature = signer ? signer(token) : std::string();
  return token + "." + base64url(signature);
}

std::chrono::system_clock::time_point test_now() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(kNowSeconds));
}

long long test_now_seconds() { return kNowSeconds; }

std::string valid_claims_json() {
  return R"({"sub":"alice","exp":)" + std::to_string(kNowSeconds + 3600) + "}";
}

}  // namespace sg::auth::test
