// The checks on a JWT's claims once its signature is known to be good: exp and nbf with
// leeway (iat is ignored), iss and aud when the config asks for them, and the user id from
// the configured claim. Private to the auth layer.
//
// Threading: pure functions of (config, claims, now); any thread.
#pragma once

#include "auth/jwt_verifier.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace sg::auth {

// Either a user id or the reason there is none.
struct UserIdResult {
  std::optional<std::string> user_id;
  std::string failure_reason;
};

// Checks exp, nbf, iss and aud. Returns nullopt when they pass, else a short reason for the
// log ("expired", "not yet valid", "wrong iss", ...).
std::optional<std::string> check_registered_claims(const JwtConfig& config, const boost::json::object& claims,
                                                   std::chrono::system_clock::time_point now);

// The user id is config.user_claim: a non-empty string, or an integer rendered in decimal.
UserIdResult extract_user_id(const JwtConfig& config, const boost::json::object& claims);

}  // namespace sg::auth
