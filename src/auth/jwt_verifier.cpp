// JwtVerifier: the order of checks on a compact JWS token (see auth/jwt_verifier.hpp).
//
//   size → three segments → header (base64url, JSON object, alg pinned and fitting the key,
//   typ, crit) → signature over the segments as sent → claims (base64url, JSON object) →
//   exp/nbf/iss/aud → user id.
//
// The claims are not parsed before the signature has been checked, and nothing here throws on
// bad input: every failure becomes a short reason for the log.
//
// Threading: verify() reads only immutable state; any number of threads at once.
#include "auth/jwt_verifier.hpp"

#include "jwt_algorithm.hpp"
#include "jwt_claims.hpp"
#include "jwt_keys.hpp"
#include "proto/engine_packet.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace sg::auth {

namespace {

VerifyResult failure(std::string reason) { return VerifyResult{std::nullopt, std::move(reason)}; }

// "<header>.<claims>.<signature>"; nullopt unless there are exactly three segments.
std::optional<std::array<std::string_view, 3>> split_compact_token(std::string_view token) {
  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return std::nullopt;
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return std::nullopt;
  if (token.find('.', second_dot + 1) != std::string_view::npos) return std::nullopt;
  return std::array<std::string_view, 3>{token.substr(0, first_dot),
                                         token.substr(first_dot + 1, second_dot - first_dot - 1),
                                         token.substr(second_dot + 1)};
}

// One base64url segment holding a JSON object. `what` names the segment in the reasons.
struct JsonSegment {
  std::optional<boost::json::object> object;
  std::string failure_reason;
};

JsonSegment decode_json_object_segment(std::string_view segment, std::string_view what) {
  const std::optional<std::string> json_text = sg::proto::decode_base64url(segment);
  if (!json_text) return {std::nullopt, std::string(what) + " is not base64url"};
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(*json_text, error);
  if (error) return {std::nullopt, std::string(what) + " is not JSON"};
  if (!parsed.is_object()) return {std::nullopt, std::string(what) + " is not an object"};
  return {std::move(parsed.as_object()), {}};
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// At most 16 letters and digits of an attacker-chosen string, safe to put in a log line.
std::string printable_prefix(std::string_view text) {
  std::string shown;
  for (const char c : text.substr(0, 16)) shown += std::isalnum(static_cast<unsigned char>(c)) ? c : '?';
  return shown;
}

}  // namespace

JwtVerifier::JwtVerifier(JwtConfig config) : config_(std::move(config)) {
  if (config_.leeway.count() < 0) throw std::invalid_argument("JWT leeway must not be negative");
  if (config_.user_claim.empty()) throw std::invalid_argument("JWT user claim name must not be empty");
  keys_ = std::make_unique<Keys>(config_);
}

JwtVerifier::~JwtVerifier() = default;

VerifyResult JwtVerifier::verify(std::string_view token, std::chrono::system_clock::time_point now) const {
  if (token.empty()) return failure("empty token");
  if (token.size() > config_.max_token_bytes) return failure("token too large");

  const auto segments = split_compact_token(token);
  if (!segments) return failure("token does not have three segments");
  const auto& [header_segment, claims_segment, signature_segment] = *segments;

  JsonSegment header = decode_json_object_segment(header_segment, "header");
  if (!header.object) return failure(std::move(header.failure_reason));

  const boost::json::value* alg = header.object->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return failure("header has no alg");
  const std::optional<JwtAlgorithm> algorithm = parse_jwt_algorithm(alg->get_string());
  // Pinned AND fitting the key kind: this refuses "none", and an HS token against a verifier
  // that only holds a public key (the RS/HS confusion attack).
  if (!algorithm || !keys_->allows(*algorithm)) {
    return failure("alg not allowed: " + printable_prefix(alg->get_string()));
  }
  if (const boost::json::value* typ = header.object->if_contains("typ")) {
    if (!typ->is_string() || !equals_ignoring_case(typ->get_string(), "JWT")) return failure("typ is not JWT");
  }
  // RFC 7515 §4.1.11: extensions the recipient does not understand must be refused; we
  // understand none.
  if (header.object->contains("crit")) return failure("unsupported crit header");

  const std::optional<std::string> signature = sg::proto::decode_base64url(signature_segment);
  if (!signature) return failure("signature is not base64url");
  const std::string_view signing_input = token.substr(0, header_segment.size() + 1 + claims_segment.size());
  if (!keys_->verify_signature(*algorithm, signing_input, *signature)) return failure("bad signature");

  JsonSegment claims = decode_json_object_segment(claims_segment, "claims");
  if (!claims.object) return failure(std::move(claims.failure_reason));
  if (auto claim_failure = check_registered_claims(config_, *claims.object, now)) {
    return failure(std::move(*claim_failure));
  }
  UserIdResult user = extract_user_id(config_, *claims.object);
  if (!user.user_id) return failure(std::move(user.failure_reason));

  return VerifyResult{Identity{std::move(*user.user_id), std::move(*claims.object)}, {}};
}

}  // namespace sg::auth
