// Signature checks for the three key kinds: HMAC compared in constant time, RSASSA-PKCS1-v1_5
// with SHA-256, and ECDSA P-256 with SHA-256 whose JWS form (raw 64-byte r||s, RFC 7518
// §3.4) is converted to the DER ECDSA_SIG that OpenSSL verifies.
// Threading: reads the immutable Keys only; any number of threads at once.
#include "jwt_keys.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <exception>
#include <optional>

namespace sg::auth {

namespace {

constexpr std::size_t kEs256CoordinateBytes = 32;

struct EvpMdContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* signature) const { ECDSA_SIG_free(signature); }
};

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

bool hmac_matches(JwtAlgorithm algorithm, std::string_view secret, std::string_view signing_input,
                  std::string_view signature) {
  std::string expected;
  try {
    expected = compute_jwt_hmac(algorithm, secret, signing_input);
  } catch (const std::exception&) {
    return false;
  }
  // The length of a MAC is public (it follows from the algorithm); only the bytes are compared
  // in constant time.
  if (signature.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

// Raw r||s (32 bytes each) to DER. Any other length is refused, so a DER signature sent as
// an ES256 JWS signature never verifies.
std::optional<std::string> es256_signature_to_der(std::string_view raw) {
  if (raw.size() != 2 * kEs256CoordinateBytes) return std::nullopt;
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> signature(ECDSA_SIG_new());
  if (!signature) return std::nullopt;
  BIGNUM* r = BN_bin2bn(bytes_of(raw), kEs256CoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes_of(raw.substr(kEs256CoordinateBytes)), kEs256CoordinateBytes, nullptr);
  if (r == nullptr || s == nullptr || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int der_length = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (der_length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(der_length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(signature.get(), &out) != der_length) return std::nullopt;
  return der;
}

bool public_key_signature_matches(EVP_PKEY* key, std::string_view signing_input,
                                  std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, EvpMdContextFree> context(EVP_MD_CTX_new());
  if (!context) return false;
  if (EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  return EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(), bytes_of(signing_input),
                          signing_input.size()) == 1;
}

}  // namespace

bool JwtVerifier::Keys::verify_signature(JwtAlgorithm algorithm, std::string_view signing_input,
                                         std::string_view signature) const {
  bool valid = false;
  switch (algorithm) {
    case JwtAlgorithm::hs256:
    case JwtAlgorithm::hs384:
    case JwtAlgorithm::hs512:
      valid = !secret.empty() && hmac_matches(algorithm, secret, signing_input, signature);
      break;
    case JwtAlgorithm::rs256:
      valid = public_key_kind == PublicKeyKind::rsa && !signature.empty() &&
              public_key_signature_matches(public_key.get(), signing_input, signature);
      break;
    case JwtAlgorithm::es256:
      if (public_key_kind == PublicKeyKind::ec_p256) {
        const std::optional<std::string> der = es256_signature_to_der(signature);
        valid = der && public_key_signature_matches(public_key.get(), signing_input, *der);
      }
      break;
  }
  ERR_clear_error();
  return valid;
}

}  // namespace sg::auth
