// Reading and writing the string lists of cluster messages (rooms, excepts, sids) in
// Boost.JSON values, shared by the emit and request codecs.
//
// Threading: pure functions, any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sg::cluster {

// Appends object[key] (an array of strings) to `out`; a missing or null key is an empty list.
// False when the value is something else.
inline bool read_string_array(const boost::json::object& object, std::string_view key, std::vector<std::string>& out) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return true;
  if (!value->is_array()) return false;
  for (const auto& item : value->get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string());
  }
  return true;
}

inline boost::json::array string_array(std::span<const std::string> names) {
  boost::json::array array;
  array.reserve(names.size());
  for (const auto& name : names) array.emplace_back(name);
  return array;
}

}  // namespace sg::cluster
