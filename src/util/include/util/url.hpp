// URL pieces the hosts need: split a request target into path and query, read one query
// parameter, and percent-decode a path segment or query value.
//
// Threading: pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sg {

struct RequestTarget {
  std::string_view path;   // before '?'
  std::string_view query;  // after '?', without it ("" when absent)
};

RequestTarget split_target(std::string_view target);

// The raw (still percent-encoded) value of `name` in `query`; nullopt when absent.
// A parameter given without '=' has an empty value.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name);

// Percent-decodes `text` ('+' is kept as is unless plus_is_space). Returns nullopt on a
// malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

}  // namespace sg
