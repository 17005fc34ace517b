// HS256 JSON Web Tokens for the load generator's clients, minted before any clock starts.
// The claims follow the bench contract: sub, exp, optional rooms (array), optional role.
// Threading: pure functions, any thread.
#pragma once

#include <string>
#include <vector>

namespace loadgen {

struct TokenClaims {
  std::string sub;
  long long exp = 0;                // seconds since the epoch
  std::vector<std::string> rooms;   // omitted when empty
  std::string role;                 // omitted when empty ("admin" for the admin connection)
};

// A signed compact JWT. `corrupt_signature` flips the signature so the server must refuse it.
std::string mint_hs256(const TokenClaims& claims, const std::string& secret, bool corrupt_signature = false);

}  // namespace loadgen
