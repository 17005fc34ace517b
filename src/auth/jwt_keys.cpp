// Loading the verification keys and resolving the pinned algorithm list (see jwt_keys.hpp).
// Threading: runs in the JwtVerifier constructor only, on the constructing thread.
#include "jwt_keys.hpp"

#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace sg::auth {

namespace {

// RSA keys below this size are refused at startup (NIST SP 800-131A).
constexpr int kMinimumRsaBits = 2048;

struct DecoderContextFree {
  void operator()(OSSL_DECODER_CTX* context) const { OSSL_DECODER_CTX_free(context); }
};

// Accepts a PEM SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY").
EvpPkeyPtr load_public_key(std::string_view pem) {
  EVP_PKEY* key = nullptr;
  std::unique_ptr<OSSL_DECODER_CTX, DecoderContextFree> decoder(OSSL_DECODER_CTX_new_for_pkey(
      &key, "PEM", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
  if (!decoder) {
    ERR_clear_error();
    throw std::invalid_argument("cannot create a PEM decoder");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t length = pem.size();
  const bool decoded = OSSL_DECODER_from_data(decoder.get(), &data, &length) == 1;
  ERR_clear_error();
  EvpPkeyPtr owned(key);
  if (!decoded || !owned) throw std::invalid_argument("JWT public key is not a valid PEM public key");
  return owned;
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 80> group_name{};
  std::size_t name_length = 0;
  if (EVP_PKEY_get_group_name(key, group_name.data(), group_name.size(), &name_length) != 1) {
    ERR_clear_error();
    return false;
  }
  const int nid = OBJ_sn2nid(group_name.data());
  return nid == NID_X9_62_prime256v1 || EC_curve_nist2nid(group_name.data()) == NID_X9_62_prime256v1;
}

PublicKeyKind classify_public_key(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < kMinimumRsaBits) {
      throw std::invalid_argument("JWT RSA public key is shorter than 2048 bits");
    }
    return PublicKeyKind::rsa;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    if (!is_p256(key)) throw std::invalid_argument("JWT EC public key is not on curve P-256");
    return PublicKeyKind::ec_p256;
  }
  throw std::invalid_argument("JWT public key is neither RSA nor EC P-256");
}

std::vector<std::string> default_algorithm_names(bool has_secret, bool has_public_key) {
  std::vector<std::string> names;
  if (has_secret) names.emplace_back("HS256");
  if (has_public_key) {
    names.emplace_back("RS256");
    names.emplace_back("ES256");
  }
  return names;
}

}  // namespace

JwtVerifier::Keys::Keys(const JwtConfig& config) : secret(config.secret) {
  if (config.secret.empty() && config.public_key_pem.empty()) {
    throw std::invalid_argument("JWT config needs a secret or a public key");
  }
  if (!config.public_key_pem.empty()) {
    public_key = load_public_key(config.public_key_pem);
    public_key_kind = classify_public_key(public_key.get());
  }

  const std::vector<std::string> names =
      config.algorithms.empty() ? default_algorithm_names(!secret.empty(), public_key != nullptr)
                                : config.algorithms;
  for (const std::string& name : names) {
    const std::optional<JwtAlgorithm> algorithm = parse_jwt_algorithm(name);
    if (!algorithm) throw std::invalid_argument("unknown JWT algorithm: " + name);
    if (is_hmac_algorithm(*algorithm) && secret.empty()) {
      throw std::invalid_argument("JWT algorithm " + name + " needs a secret");
    }
    if (!is_hmac_algorithm(*algorithm) && !public_key) {
      throw std::invalid_argument("JWT algorithm " + name + " needs a public key");
    }
    // With a key of the other kind (an RSA key and ES256 pinned, say) the algorithm can never
    // verify; it is dropped, and the list must keep at least one usable algorithm.
    const bool fits_key = is_hmac_algorithm(*algorithm) ||
                          (*algorithm == JwtAlgorithm::rs256 && public_key_kind == PublicKeyKind::rsa) ||
                          (*algorithm == JwtAlgorithm::es256 && public_key_kind == PublicKeyKind::ec_p256);
    if (fits_key && std::find(allowed.begin(), allowed.end(), *algorithm) == allowed.end()) {
      allowed.push_back(*algorithm);
    }
  }
  if (allowed.empty()) throw std::invalid_argument("no pinned JWT algorithm fits the configured key");
}

bool JwtVerifier::Keys::allows(JwtAlgorithm algorithm) const {
  return std::find(allowed.begin(), allowed.end(), algorithm) != allowed.end();
}

}  // namespace sg::auth
