// JWT verification at Socket.IO CONNECT: signature with a pinned algorithm list
// (HS256/384/512 with a shared secret; RS256/ES256 with a PEM public key), exp/nbf with
// leeway, optional iss/aud, and the user id from a configurable claim.
//
// Any failure yields no identity and a reason meant for the log only; the client is told
// nothing but "Unauthorized". Pure functions of (config, token, now): no I/O, no clock.
//
// Threading: a JwtVerifier is immutable after construction; verify() may run on any
// number of threads at once.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::auth {

struct JwtConfig {
  std::string secret;                   // for HS256/HS384/HS512
  std::string public_key_pem;           // for RS256/ES256
  std::vector<std::string> algorithms;  // pinned list; empty = HS256 with a secret, RS256+ES256 with a key
  std::chrono::seconds leeway{30};      // tolerance on exp and nbf
  std::optional<std::string> issuer;    // required "iss" when set
  std::optional<std::string> audience;  // required in "aud" (string or array) when set
  std::string user_claim = "sub";       // claim holding the user id (string or integer)
  std::size_t max_token_bytes = 8192;   // longer tokens are refused before any parsing
};

struct Identity {
  std::string user_id;
  boost::json::object claims;
};

struct VerifyResult {
  std::optional<Identity> identity;  // set on success
  std::string failure_reason;        // set on failure, for the log
};

class JwtVerifier {
 public:
  // Throws std::invalid_argument when the config cannot verify anything (no secret and no
  // key, an unparsable PEM, an unknown algorithm name, an algorithm without its key kind).
  explicit JwtVerifier(JwtConfig config);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  VerifyResult verify(std::string_view token, std::chrono::system_clock::time_point now) const;

 private:
  struct Keys;
  JwtConfig config_;
  std::unique_ptr<Keys> keys_;
};

// Signs claims with HS256/HS384/HS512 — for the development token minter and for tests.
// Throws std::invalid_argument for any other algorithm.
std::string sign_hs_token(const boost::json::object& claims, std::string_view secret,
                          std::string_view algorithm = "HS256");

}  // namespace sg::auth
