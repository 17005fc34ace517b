// Where a Redis server is and how to log in: parsed from a redis:// URL
// (redis://[[user]:password@]host[:port][/db]; port 6379 and db 0 by default).
//
// Threading: plain values and a pure parser, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::cluster {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string user;      // empty: AUTH with the password only (or no AUTH)
  std::string password;  // empty: no AUTH
  int database = 0;
};

// nullopt with `error` set when `url` is not a redis:// URL of that shape.
std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string& error);

}  // namespace sg::cluster
