// MessagePack <-> JSON values, for the emit messages that travel through Redis in the
// @socket.io/redis-emitter format. MessagePack `bin` values are binary attachments: decoding
// turns each into a Socket.IO placeholder {"_placeholder":true,"num":K} and appends its bytes
// to `attachments`; encoding turns placeholders back into `bin` values.
//
// Written here rather than taken from a library: Debian's msgpack packages depend on
// libboost-dev (1.74), which cannot be installed beside the Boost 1.81 this project builds
// with (docs/architecture.md). The subset is small: nil, booleans, integers, floats, str,
// bin, arrays and maps with string keys; ext types are refused.
//
// Threading: pure functions, any thread.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sg::cluster {

// Nesting deeper than this is refused (a hostile message cannot exhaust the stack).
constexpr std::size_t kMaxMsgpackDepth = 64;

// Decodes one complete MessagePack value; nullopt (with `error` set) on malformed input,
// trailing bytes, ext types or non-string map keys.
std::optional<boost::json::value> decode_msgpack(std::string_view bytes, std::vector<std::string>& attachments,
                                                 std::string& error);

// Appends the MessagePack encoding of `value` to `out`; placeholders whose num indexes
// `attachments` become bin values.
void encode_msgpack(const boost::json::value& value, std::span<const std::string> attachments, std::string& out);

}  // namespace sg::cluster
