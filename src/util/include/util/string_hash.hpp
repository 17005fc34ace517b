// Transparent hashing for string-keyed maps, so lookups by std::string_view do not build a
// std::string (C++20 heterogeneous lookup): use with std::equal_to<>.
// Threading: stateless; any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace sg {

struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

}  // namespace sg
