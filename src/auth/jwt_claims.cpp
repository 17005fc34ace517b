// Claim checks of a verified JWT (see jwt_claims.hpp).
// Threading: pure functions; any thread.
#include "jwt_claims.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace sg::auth {

namespace {

// A NumericDate (RFC 7519 §2) as seconds since the epoch; nullopt when not a JSON number.
std::optional<double> numeric_date(const boost::json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  return std::nullopt;
}

std::optional<std::string> check_time_claims(const JwtConfig& config, const boost::json::object& claims,
                                             std::chrono::system_clock::time_point now) {
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto leeway_seconds = static_cast<double>(config.leeway.count());

  if (const boost::json::value* exp = claims.if_contains("exp")) {
    const std::optional<double> expires_at = numeric_date(*exp);
    if (!expires_at) return "exp is not a number";
    // RFC 7519 §4.1.4: the current time must be before exp.
    if (now_seconds >= *expires_at + leeway_seconds) return "expired";
  }
  if (const boost::json::value* nbf = claims.if_contains("nbf")) {
    const std::optional<double> not_before = numeric_date(*nbf);
    if (!not_before) return "nbf is not a number";
    if (*not_before > now_seconds + leeway_seconds) return "not yet valid";
  }
  return std::nullopt;
}

std::optional<std::string> check_issuer(const JwtConfig& config, const boost::json::object& claims) {
  if (!config.issuer) return std::nullopt;
  const boost::json::value* iss = claims.if_contains("iss");
  if (iss == nullptr) return "missing iss";
  if (!iss->is_string() || iss->get_string() != *config.issuer) return "wrong iss";
  return std::nullopt;
}

bool audience_matches(const boost::json::value& aud, const std::string& audience) {
  if (aud.is_string()) return aud.get_string() == audience;
  if (!aud.is_array()) return false;
  for (const boost::json::value& entry : aud.get_array()) {
    if (entry.is_string() && entry.get_string() == audience) return true;
  }
  return false;
}

std::optional<std::string> check_audience(const JwtConfig& config, const boost::json::object& claims) {
  if (!config.audience) return std::nullopt;
  const boost::json::value* aud = claims.if_contains("aud");
  if (aud == nullptr) return "missing aud";
  if (!audience_matches(*aud, *config.audience)) return "wrong aud";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_registered_claims(const JwtConfig& config, const boost::json::object& claims,
                                                   std::chrono::system_clock::time_point now) {
  if (auto failure = check_time_claims(config, claims, now)) return failure;
  if (auto failure = check_issuer(config, claims)) return failure;
  return check_audience(config, claims);
}

UserIdResult extract_user_id(const JwtConfig& config, const boost::json::object& claims) {
  const boost::json::value* claim = claims.if_contains(config.user_claim);
  if (claim == nullptr) return {std::nullopt, "missing user claim"};
  if (claim->is_string()) {
    if (claim->get_string().empty()) return {std::nullopt, "empty user claim"};
    return {std::string(claim->get_string()), {}};
  }
  if (claim->is_int64()) return {std::to_string(claim->get_int64()), {}};
  if (claim->is_uint64()) return {std::to_string(claim->get_uint64()), {}};
  return {std::nullopt, "user claim is not a string or an integer"};
}

}  // namespace sg::auth
