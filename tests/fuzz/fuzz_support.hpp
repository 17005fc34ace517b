// What every fuzz target shares: the input as a string_view, a way to take a few bytes off
// its front to choose a mode, and require(), which aborts — libFuzzer then reports the input
// as a crash — when a property the target checks does not hold.
//
// Threading: libFuzzer's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sg::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first byte of `input` (0 when empty), removed from it.
inline std::uint8_t take_byte(std::string_view& input) {
  if (input.empty()) return 0;
  const auto byte = static_cast<std::uint8_t>(input.front());
  input.remove_prefix(1);
  return byte;
}

// The part of `input` before the first `separator` (all of it when there is none), removed
// from it together with the separator.
inline std::string_view take_until(std::string_view& input, char separator) {
  const std::size_t at = input.find(separator);
  const std::string_view head = input.substr(0, at);
  input.remove_prefix(at == std::string_view::npos ? input.size() : at + 1);
  return head;
}

inline void require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", property);
  std::abort();
}

}  // namespace sg::fuzz
