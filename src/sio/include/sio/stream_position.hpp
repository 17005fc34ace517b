// Stream positions: the offsets of emits in cluster-wide recovery are Redis stream ids
// ("<milliseconds>-<sequence>"). Shards compare them as one unsigned number — the
// milliseconds shifted left by 20 bits, plus the sequence — the same kind of number as the
// single node's recovery sequence, so delivery skips replayed emits with one comparison.
// Redis cannot add a million entries within one millisecond, so the sequence fits.
//
// Threading: pure functions, any thread.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::sio {

inline constexpr unsigned kStreamSequenceBits = 20;

// The position of a stream id, or nullopt when `id` is not "<ms>-<seq>".
inline std::optional<std::uint64_t> stream_position(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size()) return std::nullopt;
  std::uint64_t milliseconds = 0;
  std::uint64_t sequence = 0;
  const char* end = id.data() + dash;
  if (std::from_chars(id.data(), end, milliseconds).ptr != end) return std::nullopt;
  const char* last = id.data() + id.size();
  if (std::from_chars(end + 1, last, sequence).ptr != last) return std::nullopt;
  if (milliseconds >> (64 - kStreamSequenceBits) || sequence >> kStreamSequenceBits) return std::nullopt;
  return (milliseconds << kStreamSequenceBits) | sequence;
}

// The stream id of a position (the inverse of stream_position).
inline std::string stream_id(std::uint64_t position) {
  const std::uint64_t mask = (std::uint64_t{1} << kStreamSequenceBits) - 1;
  return std::to_string(position >> kStreamSequenceBits) + "-" + std::to_string(position & mask);
}

}  // namespace sg::sio
