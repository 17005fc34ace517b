// sign_hs_token: mints compact HS256/HS384/HS512 tokens (header {"alg":…,"typ":"JWT"}) for
// the development token minter and for tests (see auth/jwt_verifier.hpp).
// Threading: pure function; any thread.
#include "auth/jwt_verifier.hpp"

#include "jwt_algorithm.hpp"
#include "proto/engine_packet.hpp"

#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace sg::auth {

std::string sign_hs_token(const boost::json::object& claims, std::string_view secret, std::string_view algorithm) {
  const std::optional<JwtAlgorithm> parsed = parse_jwt_algorithm(algorithm);
  if (!parsed || !is_hmac_algorithm(*parsed)) {
    throw std::invalid_argument("sign_hs_token supports HS256, HS384 and HS512 only, not " + std::string(algorithm));
  }
  const boost::json::object header{{"alg", jwt_algorithm_name(*parsed)}, {"typ", "JWT"}};
  std::string token = sg::proto::encode_base64url(boost::json::serialize(header));
  token += '.';
  token += sg::proto::encode_base64url(boost::json::serialize(claims));
  const std::string mac = compute_jwt_hmac(*parsed, secret, token);
  token += '.';
  token += sg::proto::encode_base64url(mac);
  return token;
}

}  // namespace sg::auth
