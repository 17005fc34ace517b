// Test-side token forging for the JWT battery: an independent base64url encoder, RSA-2048 and
// P-256 key pairs generated with OpenSSL, signers for HS*/RS256/ES256 that build any header and
// claims the tests want (including malicious ones), and a fixed clock.
//
// Nothing here calls the code under test, so a bug in the verifier's helpers cannot hide
// itself. Threading: test thread only.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sg::auth::test {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A generated private key and its public half as a PEM SubjectPublicKeyInfo.
struct TestKeyPair {
  PkeyPtr private_key;
  std::string public_pem;
};

// Generated once per test binary (RSA generation is slow) and shared by the tests.
const TestKeyPair& rsa_2048_keys();
const TestKeyPair& p256_keys();
// A second pair of each, to prove a signature by the wrong key fails.
const TestKeyPair& other_rsa_2048_keys();
const TestKeyPair& other_p256_keys();

// RFC 4648 §5 without padding, built on EVP_EncodeBlock.
std::string base64url(std::string_view bytes);

// Turns "<b64 header>.<b64 claims>" into raw signature bytes.
using Signer = std::function<std::string(std::string_view signing_input)>;

Signer hmac_signer(const EVP_MD* digest, std::string secret);
Signer rs256_signer(const TestKeyPair& keys);
// Signs with ECDSA P-256/SHA-256 and converts OpenSSL's DER signature to JWS raw r||s.
Signer es256_signer(const TestKeyPair& keys);
// Signs with ECDSA and keeps the DER form (a malformed ES256 JWS signature).
Signer es256_der_signer(const TestKeyPair& keys);

// "<b64(header_json)>.<b64(claims_json)>.<b64(signer(...))>"; with no signer the signature
// segment is empty ("a.b.").
std::string make_token(std::string_view header_json, std::string_view claims_json, const Signer& signer = {});

// The tests' "now": a fixed instant, so exp/nbf are written relative to it.
std::chrono::system_clock::time_point test_now();
long long test_now_seconds();

// {"sub":"alice","exp":now+3600} as compact JSON, the claims most tests start from.
std::string valid_claims_json();

}  // namespace sg::auth::test
