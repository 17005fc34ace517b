// The Lua scripts of cluster-wide recovery, run by Redis with EVAL (docs/recovery.md); the
// publishing script, run for every emit, by its SHA1 (EVALSHA) once loaded.
//
// publish: one emit message into the stream and onto its channel in one step, so that the
//   stream's order is the order in which every subscriber receives the messages. The
//   message arrives without its offset's value (emit_message.hpp); the script appends the
//   entry id as a MessagePack str8. The stream is trimmed to about ARGV[1] entries (MAXLEN ~,
//   as socket.io's redis-streams adapter does). Returns the id.
//   KEYS: stream, channel. ARGV: max length, message.
//
// claim: takes a kept session out of the store when it belongs to that user and namespace
//   (a pid serves once; another user's attempt leaves it in place). Returns the session's
//   JSON, or nil.
//   KEYS: session key. ARGV: user id, namespace.
//
// lease: the node that copies external emitters' messages into the stream (only one may,
//   or they would be copied twice) holds a lease it renews; returns 1 when this node holds it.
//   KEYS: lease key. ARGV: node id, time to live in milliseconds.
//
// Threading: constants.
#pragma once

#include <openssl/sha.h>

#include <string>
#include <string_view>

namespace sg::cluster {

inline constexpr std::string_view kPublishScript = R"lua(
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[2])
redis.call('PUBLISH', KEYS[2], ARGV[2] .. string.char(0xd9, #id) .. id)
return id
)lua";

inline constexpr std::string_view kClaimScript = R"lua(
local kept = redis.call('GET', KEYS[1])
if not kept then return false end
local session = cjson.decode(kept)
if session.user ~= ARGV[1] or session.nsp ~= ARGV[2] then return false end
redis.call('DEL', KEYS[1])
return kept
)lua";

inline constexpr std::string_view kLeaseScript = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua";

// What EVALSHA names a script by: the lower-case hex SHA1 of its text.
inline std::string script_sha1(std::string_view script) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  return hex;
}

}  // namespace sg::cluster
