// The JWS algorithms the gateway knows (RFC 7518 names) and what each one needs: the digest
// it hashes with and whether it is keyed by a shared secret (HMAC) or by a public key.
// Private to the auth layer.
//
// Threading: pure functions and constants; any thread.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <string_view>

namespace sg::auth {

enum class JwtAlgorithm { hs256, hs384, hs512, rs256, es256 };

// Exact, case-sensitive RFC 7518 name ("HS256", ...); nullopt for anything else, "none"
// included.
std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name);

std::string_view jwt_algorithm_name(JwtAlgorithm algorithm);

// True for HS256/HS384/HS512, which are verified with the shared secret.
bool is_hmac_algorithm(JwtAlgorithm algorithm);

// SHA-256, SHA-384 or SHA-512; never null.
const EVP_MD* jwt_algorithm_digest(JwtAlgorithm algorithm);

// HMAC of `data` keyed by `secret` with the algorithm's digest. `algorithm` must be an HMAC
// algorithm. Returns the raw MAC bytes; throws std::runtime_error if OpenSSL fails.
std::string compute_jwt_hmac(JwtAlgorithm algorithm, std::string_view secret, std::string_view data);

}  // namespace sg::auth
