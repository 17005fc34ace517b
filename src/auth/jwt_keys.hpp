// The verification keys of one JwtVerifier: the shared secret, the parsed public key and the
// algorithms that are both pinned by the config and usable with those keys. Private to the
// auth layer.
//
// Threading: built once in the JwtVerifier constructor, then only read; verify_signature()
// may run on any number of threads at once (OpenSSL 3 allows concurrent use of an EVP_PKEY
// that nobody modifies).
#pragma once

#include "auth/jwt_verifier.hpp"
#include "jwt_algorithm.hpp"

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sg::auth {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

enum class PublicKeyKind { none, rsa, ec_p256 };

struct JwtVerifier::Keys {
  // Parses the PEM key and resolves the pinned algorithm list. Throws std::invalid_argument
  // for: no secret and no key; an unparsable PEM; a key that is neither RSA (>= 2048 bits)
  // nor EC P-256; an unknown algorithm name; an HS* algorithm without a secret; RS256/ES256
  // without a key; or a list in which no algorithm fits the configured keys.
  explicit Keys(const JwtConfig& config);

  // True when `algorithm` is pinned and its key kind is configured (HS* → secret, RS256 →
  // RSA key, ES256 → EC P-256 key).
  bool allows(JwtAlgorithm algorithm) const;

  // Checks `signature` (raw bytes, already base64url-decoded) over `signing_input`
  // ("<header>.<claims>" as sent). The caller has checked allows(algorithm). ES256 takes the
  // JWS form, exactly 64 bytes r||s. Never throws; clears OpenSSL's error queue.
  bool verify_signature(JwtAlgorithm algorithm, std::string_view signing_input,
                        std::string_view signature) const;

  std::string secret;
  EvpPkeyPtr public_key;
  PublicKeyKind public_key_kind = PublicKeyKind::none;
  std::vector<JwtAlgorithm> allowed;
};

}  // namespace sg::auth
