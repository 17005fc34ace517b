// HS256 minting with OpenSSL's one-shot HMAC (see jwt_mint.hpp).
#include "jwt_mint.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace loadgen {

namespace {

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 2 < size; i += 3) {
    const unsigned value = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += kAlphabet[(value >> 6) & 63];
    out += kAlphabet[value & 63];
  }
  if (i + 1 == size) {
    const unsigned value = data[i] << 16;
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
  } else if (i + 2 == size) {
    const unsigned value = (data[i] << 16) | (data[i + 1] << 8);
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += kAlphabet[(value >> 6) & 63];
  }
  return out;
}

std::string base64url(const std::string& text) {
  return base64url(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

// Names in the benchmarks are plain ASCII ([A-Za-z0-9:_-]); quote them without escaping.
std::string quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace

std::string mint_hs256(const TokenClaims& claims, const std::string& secret, bool corrupt_signature) {
  std::string payload = "{\"sub\":" + quoted(claims.sub) + ",\"exp\":" + std::to_string(claims.exp);
  if (!claims.rooms.empty()) {
    payload += ",\"rooms\":[";
    for (std::size_t i = 0; i < claims.rooms.size(); ++i) payload += (i ? "," : "") + quoted(claims.rooms[i]);
    payload += "]";
  }
  if (!claims.role.empty()) payload += ",\"role\":" + quoted(claims.role);
  payload += "}";
  const std::string signing_input = base64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + base64url(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  if (corrupt_signature) mac[0] ^= 0x5a;
  return signing_input + "." + base64url(mac, mac_size);
}

}  // namespace loadgen
