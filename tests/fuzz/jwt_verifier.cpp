// Fuzz target: the JWT verifier (src/auth: segments, base64url, header, alg pinning, typ and
// crit, HMAC/RSA/ECDSA signatures, claims exp/nbf/iss/aud, the user id). The first byte
// chooses the mode:
//   0  the rest is a token as a client sends it, checked by every verifier below;
//   1  the rest is "<header JSON>\n<claims JSON>", which this target encodes and signs with
//      the HS secret (HS256/384/512 by the second byte) so that the checks after the
//      signature — claims, iss/aud, user id — are reached with any header and claims;
//   2  the same, signed ES256 with a P-256 key made at start-up (the second byte's low bit
//      sends OpenSSL's DER signature instead of the JWS r||s form, which must fail);
//   3  the same, signed RS256 with an RSA-2048 key made at start-up.
// Verifiers: HS256 with a secret; HS256/384/512 with iss, aud, no leeway and user claim
// "uid"; the RSA public key; the EC public key.
//
// Threading: libFuzzer's thread only.
#include "auth/jwt_verifier.hpp"
#include "fuzz_support.hpp"
#include "proto/engine_packet.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace {

using sg::fuzz::require;
namespace auth = sg::auth;

constexpr std::string_view kSecret = "fuzz-secret";

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string public_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM_write_bio_PUBKEY");
  char* bytes = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &bytes);
  return std::string(bytes, static_cast<std::size_t>(length));
}

struct Keys {
  PkeyPtr rsa{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048})};
  PkeyPtr ec{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::unique_ptr<auth::JwtVerifier> hs_plain;
  std::unique_ptr<auth::JwtVerifier> hs_strict;
  std::unique_ptr<auth::JwtVerifier> rsa_verifier;
  std::unique_ptr<auth::JwtVerifier> ec_verifier;

  Keys() {
    if (!rsa || !ec) throw std::runtime_error("key generation failed");
    auth::JwtConfig plain;
    plain.secret = std::string(kSecret);
    hs_plain = std::make_unique<auth::JwtVerifier>(plain);
    auth::JwtConfig strict = plain;
    strict.algorithms = {"HS256", "HS384", "HS512"};
    strict.leeway = std::chrono::seconds(0);
    strict.issuer = "fuzz-issuer";
    strict.audience = "fuzz-audience";
    strict.user_claim = "uid";
    hs_strict = std::make_unique<auth::JwtVerifier>(strict);
    auth::JwtConfig rsa_config;
    rsa_config.public_key_pem = public_pem(rsa.get());
    rsa_verifier = std::make_unique<auth::JwtVerifier>(rsa_config);
    auth::JwtConfig ec_config;
    ec_config.public_key_pem = public_pem(ec.get());
    ec_verifier = std::make_unique<auth::JwtVerifier>(ec_config);
  }
};

Keys& keys() {
  static Keys* instance = new Keys;
  return *instance;
}

std::chrono::system_clock::time_point now() { return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)); }

void check(const auth::JwtVerifier& verifier, std::string_view token) {
  const auth::VerifyResult result = verifier.verify(token, now());
  if (result.identity) require(!result.identity->user_id.empty(), "a verified token names a user");
  else require(!result.failure_reason.empty(), "a refused token has a reason");
}

std::string hmac(const EVP_MD* digest, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest, kSecret.data(), static_cast<int>(kSecret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string sign_sha256(EVP_PKEY* key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, bytes, input.size()) != 1)
    throw std::runtime_error("EVP_DigestSign");
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes, input.size()) != 1)
    throw std::runtime_error("EVP_DigestSign");
  signature.resize(length);
  return signature;
}

// OpenSSL's DER ECDSA signature as JWS wants it: r and s, 32 bytes each.
std::string der_to_jws(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(d2i_ECDSA_SIG(nullptr, &bytes, static_cast<long>(der.size())),
                                                                  ECDSA_SIG_free);
  if (!signature) throw std::runtime_error("d2i_ECDSA_SIG");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  return raw;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sg::fuzz::as_text(data, size);
  Keys& k = keys();
  const std::uint8_t mode = sg::fuzz::take_byte(input) % 4;
  if (mode == 0) {
    for (const auto* verifier : {k.hs_plain.get(), k.hs_strict.get(), k.rsa_verifier.get(), k.ec_verifier.get()})
      check(*verifier, input);
    return 0;
  }
  const std::uint8_t variant = sg::fuzz::take_byte(input);
  const std::string_view header = sg::fuzz::take_until(input, '\n');
  std::string token = sg::proto::encode_base64url(header) + "." + sg::proto::encode_base64url(input);
  std::string signature;
  if (mode == 1) {
    const EVP_MD* digests[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    signature = hmac(digests[variant % 3], token);
  } else if (mode == 2) {
    signature = sign_sha256(k.ec.get(), token);
    if ((variant & 1) == 0) signature = der_to_jws(signature);
  } else {
    signature = sign_sha256(k.rsa.get(), token);
  }
  token += "." + sg::proto::encode_base64url(signature);
  if (mode == 1) {
    check(*k.hs_plain, token);
    check(*k.hs_strict, token);
  } else if (mode == 2) {
    const auto result = k.ec_verifier->verify(token, now());
    if (variant & 1) require(!result.identity, "a DER ECDSA signature is not a JWS signature");
    check(*k.ec_verifier, token);
  } else {
    check(*k.rsa_verifier, token);
  }
  return 0;
}
