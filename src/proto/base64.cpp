// Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded), hand-written.
//
// Why hand-written: the codec is about sixty lines, it sits on the polling hot path (every
// binary attachment travels as "b" + base64), and we want strict decoding — any character
// outside the alphabet, misplaced or missing padding, or non-zero bits left over in the
// last symbol is rejected rather than silently skipped, so one input has one meaning.
//
// Threading: pure functions over immutable tables; any thread.
#include "proto/engine_packet.hpp"

#include <array>
#include <cstdint>

namespace sg::proto {
namespace {

constexpr std::string_view kStandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kInvalid = 0xFF;
// Valid symbols are 0..63, so OR-ing a group and testing these bits finds any kInvalid.
constexpr std::uint8_t kNotSixBits = 0xC0;

// Maps each byte to its 6-bit value, or kInvalid when it is not in the alphabet.
constexpr std::array<std::uint8_t, 256> make_decode_table(std::string_view alphabet) {
  std::array<std::uint8_t, 256> table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr auto kStandardDecode = make_decode_table(kStandardAlphabet);
constexpr auto kUrlDecode = make_decode_table(kUrlAlphabet);

// Writes the encoding of `bytes` into `out` (which must have room), padding the last
// group with '=' when `pad` is set. Returns the number of characters written.
std::size_t encode_into(char* out, std::string_view bytes, std::string_view alphabet, bool pad) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t remaining = bytes.size();
  char* const begin = out;
  for (; remaining >= 3; remaining -= 3, in += 3) {
    const std::uint32_t group = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    *out++ = alphabet[(group >> 18) & 0x3F];
    *out++ = alphabet[(group >> 12) & 0x3F];
    *out++ = alphabet[(group >> 6) & 0x3F];
    *out++ = alphabet[group & 0x3F];
  }
  if (remaining == 1) {
    const std::uint32_t group = std::uint32_t{in[0]} << 16;
    *out++ = alphabet[(group >> 18) & 0x3F];
    *out++ = alphabet[(group >> 12) & 0x3F];
    if (pad) {
      *out++ = '=';
      *out++ = '=';
    }
  } else if (remaining == 2) {
    const std::uint32_t group = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8);
    *out++ = alphabet[(group >> 18) & 0x3F];
    *out++ = alphabet[(group >> 12) & 0x3F];
    *out++ = alphabet[(group >> 6) & 0x3F];
    if (pad) *out++ = '=';
  }
  return static_cast<std::size_t>(out - begin);
}

std::size_t encoded_size(std::size_t byte_count, bool pad) {
  return pad ? (byte_count + 2) / 3 * 4 : (byte_count * 4 + 2) / 3;
}

// Decodes unpadded symbols (padding already stripped by the caller). A trailing group of
// one symbol is impossible; a trailing group of 2 or 3 symbols must leave its unused low
// bits at zero.
std::optional<std::string> decode_symbols(std::string_view text, const std::array<std::uint8_t, 256>& table) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.resize(text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1));
  auto* dest = reinterpret_cast<unsigned char*>(out.data());
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t remaining = text.size();
  for (; remaining >= 4; remaining -= 4, in += 4) {
    const std::uint8_t a = table[in[0]], b = table[in[1]], c = table[in[2]], d = table[in[3]];
    if (((a | b | c | d) & kNotSixBits) != 0) return std::nullopt;
    const std::uint32_t group = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
    *dest++ = static_cast<unsigned char>(group >> 16);
    *dest++ = static_cast<unsigned char>(group >> 8);
    *dest++ = static_cast<unsigned char>(group);
  }
  if (remaining == 2) {
    const std::uint8_t a = table[in[0]], b = table[in[1]];
    if (((a | b) & kNotSixBits) != 0 || (b & 0x0F) != 0) return std::nullopt;
    *dest++ = static_cast<unsigned char>((a << 2) | (b >> 4));
  } else if (remaining == 3) {
    const std::uint8_t a = table[in[0]], b = table[in[1]], c = table[in[2]];
    if (((a | b | c) & kNotSixBits) != 0 || (c & 0x03) != 0) return std::nullopt;
    *dest++ = static_cast<unsigned char>((a << 2) | (b >> 4));
    *dest++ = static_cast<unsigned char>(((b & 0x0F) << 4) | (c >> 2));
  }
  return out;
}

}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
  const std::size_t start = out.size();
  out.resize(start + encoded_size(bytes.size(), true));
  encode_into(out.data() + start, bytes, kStandardAlphabet, true);
}

std::string encode_base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  // Padded form only: whole groups of four, with at most two '=' closing the last one.
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') {
    if (padding == 0) return std::nullopt;  // "xx=x": padding must be at the very end
    ++padding;
  }
  return decode_symbols(text.substr(0, text.size() - padding), kStandardDecode);
}

std::string encode_base64url(std::string_view bytes) {
  std::string out(encoded_size(bytes.size(), false), '\0');
  encode_into(out.data(), bytes, kUrlAlphabet, false);
  return out;
}

std::optional<std::string> decode_base64url(std::string_view text) {
  // Unpadded form only: '=' is not in the table, so a padded input is rejected.
  return decode_symbols(text, kUrlDecode);
}

}  // namespace sg::proto
