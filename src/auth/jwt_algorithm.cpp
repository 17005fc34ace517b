// Names, digests and the HMAC primitive of the JWS algorithms (see jwt_algorithm.hpp).
// Threading: pure functions; any thread.
#include "jwt_algorithm.hpp"

#include <openssl/hmac.h>

#include <array>
#include <stdexcept>
#include <utility>

namespace sg::auth {

namespace {

constexpr std::array<std::pair<std::string_view, JwtAlgorithm>, 5> kAlgorithmNames{{
    {"HS256", JwtAlgorithm::hs256},
    {"HS384", JwtAlgorithm::hs384},
    {"HS512", JwtAlgorithm::hs512},
    {"RS256", JwtAlgorithm::rs256},
    {"ES256", JwtAlgorithm::es256},
}};

}  // namespace

std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name) {
  for (const auto& [known_name, algorithm] : kAlgorithmNames) {
    if (known_name == name) return algorithm;
  }
  return std::nullopt;
}

std::string_view jwt_algorithm_name(JwtAlgorithm algorithm) {
  for (const auto& [known_name, known] : kAlgorithmNames) {
    if (known == algorithm) return known_name;
  }
  return "?";
}

bool is_hmac_algorithm(JwtAlgorithm algorithm) {
  return algorithm == JwtAlgorithm::hs256 || algorithm == JwtAlgorithm::hs384 ||
         algorithm == JwtAlgorithm::hs512;
}

const EVP_MD* jwt_algorithm_digest(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::hs384:
      return EVP_sha384();
    case JwtAlgorithm::hs512:
      return EVP_sha512();
    case JwtAlgorithm::hs256:
    case JwtAlgorithm::rs256:
    case JwtAlgorithm::es256:
      break;
  }
  return EVP_sha256();
}

std::string compute_jwt_hmac(JwtAlgorithm algorithm, std::string_view secret, std::string_view data) {
  if (!is_hmac_algorithm(algorithm)) throw std::invalid_argument("not an HMAC algorithm");
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  // HMAC() wants a non-null key pointer even for an empty key.
  static constexpr unsigned char kEmptyKey = 0;
  const void* key = secret.empty() ? static_cast<const void*>(&kEmptyKey) : secret.data();
  const auto* input = reinterpret_cast<const unsigned char*>(data.empty() ? "" : data.data());
  if (HMAC(jwt_algorithm_digest(algorithm), key, static_cast<int>(secret.size()), input, data.size(),
           mac.data(), &mac_length) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), mac_length);
}

}  // namespace sg::auth
