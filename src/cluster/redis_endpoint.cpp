// redis:// URL parsing (see redis_endpoint.hpp).
// Threading: pure function, any thread.
#include "redis_endpoint.hpp"

#include "util/url.hpp"

#include <charconv>

namespace sg::cluster {

namespace {
template <class Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}
}  // namespace

std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string& error) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) {
    error = "the Redis URL must start with redis://";
    return std::nullopt;
  }
  std::string_view rest = url.substr(scheme.size());
  RedisEndpoint endpoint;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    const auto user = percent_decode(colon == std::string_view::npos ? std::string_view() : credentials.substr(0, colon));
    const auto password = percent_decode(colon == std::string_view::npos ? credentials : credentials.substr(colon + 1));
    if (!user || !password) {
      error = "the Redis URL's credentials are not valid percent-encoding";
      return std::nullopt;
    }
    endpoint.user = *user;
    endpoint.password = *password;
  }
  std::string_view authority = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    const std::string_view database = rest.substr(slash + 1);
    if (!database.empty() && (!parse_number(database, endpoint.database) || endpoint.database < 0)) {
      error = "the Redis URL's database is not a number";
      return std::nullopt;
    }
  }
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    if (!parse_number(authority.substr(colon + 1), endpoint.port) || endpoint.port == 0) {
      error = "the Redis URL's port is not a number";
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  if (!authority.empty()) endpoint.host = std::string(authority);
  return endpoint;
}

}  // namespace sg::cluster
