// MessagePack decoding and encoding (see msgpack_codec.hpp).
// Threading: pure functions, any thread.
#include "msgpack_codec.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <bit>
#include <cstdint>
#include <cstring>

namespace sg::cluster {

namespace {

class Reader {
 public:
  Reader(std::string_view bytes, std::vector<std::string>& attachments) : bytes_(bytes), attachments_(attachments) {}

  bool read(boost::json::value& out, std::size_t depth) {
    if (depth > kMaxMsgpackDepth) return fail("nested too deeply");
    std::uint8_t tag;
    if (!byte(tag)) return false;
    if (tag <= 0x7f) return out = std::int64_t(tag), true;
    if (tag >= 0xe0) return out = std::int64_t(std::int8_t(tag)), true;
    if ((tag & 0xf0) == 0x80) return map(out, tag & 0x0f, depth);
    if ((tag & 0xf0) == 0x90) return array(out, tag & 0x0f, depth);
    if ((tag & 0xe0) == 0xa0) return str(out, tag & 0x1f);
    switch (tag) {
      case 0xc0: out = nullptr; return true;
      case 0xc2: out = false; return true;
      case 0xc3: out = true; return true;
      case 0xc4: return bin<std::uint8_t>(out);
      case 0xc5: return bin<std::uint16_t>(out);
      case 0xc6: return bin<std::uint32_t>(out);
      case 0xca: { std::uint32_t bits; if (!big_endian(bits)) return false; out = double(std::bit_cast<float>(bits)); return true; }
      case 0xcb: { std::uint64_t bits; if (!big_endian(bits)) return false; out = std::bit_cast<double>(bits); return true; }
      case 0xcc: return unsigned_int<std::uint8_t>(out);
      case 0xcd: return unsigned_int<std::uint16_t>(out);
      case 0xce: return unsigned_int<std::uint32_t>(out);
      case 0xcf: return unsigned_int<std::uint64_t>(out);
      case 0xd0: return signed_int<std::uint8_t, std::int8_t>(out);
      case 0xd1: return signed_int<std::uint16_t, std::int16_t>(out);
      case 0xd2: return signed_int<std::uint32_t, std::int32_t>(out);
      case 0xd3: return signed_int<std::uint64_t, std::int64_t>(out);
      case 0xd9: return sized<std::uint8_t>([&](std::size_t n) { return str(out, n); });
      case 0xda: return sized<std::uint16_t>([&](std::size_t n) { return str(out, n); });
      case 0xdb: return sized<std::uint32_t>([&](std::size_t n) { return str(out, n); });
      case 0xdc: return sized<std::uint16_t>([&](std::size_t n) { return array(out, n, depth); });
      case 0xdd: return sized<std::uint32_t>([&](std::size_t n) { return array(out, n, depth); });
      case 0xde: return sized<std::uint16_t>([&](std::size_t n) { return map(out, n, depth); });
      case 0xdf: return sized<std::uint32_t>([&](std::size_t n) { return map(out, n, depth); });
      default: return fail("unsupported type (ext or reserved)");
    }
  }

  bool finished() const { return position_ == bytes_.size(); }
  const std::string& error() const { return error_; }

 private:
  bool fail(const char* what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  bool byte(std::uint8_t& out) {
    if (position_ >= bytes_.size()) return fail("truncated");
    out = static_cast<std::uint8_t>(bytes_[position_++]);
    return true;
  }
  template <class T>
  bool big_endian(T& out) {
    if (bytes_.size() - position_ < sizeof(T)) return fail("truncated");
    out = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) out = T((out << 8) | static_cast<std::uint8_t>(bytes_[position_++]));
    return true;
  }
  template <class Length, class F>
  bool sized(F&& then) {
    Length length;
    return big_endian(length) && then(std::size_t(length));
  }
  template <class T>
  bool unsigned_int(boost::json::value& out) {
    T value;
    if (!big_endian(value)) return false;
    if constexpr (sizeof(T) == 8) {
      if (value > std::uint64_t(INT64_MAX)) return out = std::uint64_t(value), true;
    }
    out = std::int64_t(value);
    return true;
  }
  template <class Raw, class Signed>
  bool signed_int(boost::json::value& out) {
    Raw raw;
    if (!big_endian(raw)) return false;
    out = std::int64_t(static_cast<Signed>(raw));
    return true;
  }
  bool take(std::size_t length, std::string_view& out) {
    if (bytes_.size() - position_ < length) return fail("truncated");
    out = bytes_.substr(position_, length);
    position_ += length;
    return true;
  }
  bool str(boost::json::value& out, std::size_t length) {
    std::string_view text;
    if (!take(length, text)) return false;
    out = boost::json::string(text);
    return true;
  }
  template <class Length>
  bool bin(boost::json::value& out) {
    Length length;
    std::string_view bytes;
    if (!big_endian(length) || !take(length, bytes)) return false;
    out = boost::json::object{{"_placeholder", true}, {"num", attachments_.size()}};
    attachments_.emplace_back(bytes);
    return true;
  }
  bool array(boost::json::value& out, std::size_t count, std::size_t depth) {
    if (count > bytes_.size() - position_) return fail("truncated");  // each element takes a byte
    boost::json::array items;
    items.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (!read(items.emplace_back(nullptr), depth + 1)) return false;
    }
    out = std::move(items);
    return true;
  }
  bool map(boost::json::value& out, std::size_t count, std::size_t depth) {
    if (count > (bytes_.size() - position_) / 2) return fail("truncated");
    boost::json::object fields;
    fields.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      boost::json::value key;
      if (!read(key, depth + 1)) return false;
      if (!key.is_string()) return fail("map key is not a string");
      if (!read(fields[key.get_string()], depth + 1)) return false;
    }
    out = std::move(fields);
    return true;
  }

  std::string_view bytes_;
  std::vector<std::string>& attachments_;
  std::size_t position_ = 0;
  std::string error_;
};

void put_big_endian(std::string& out, std::uint64_t value, std::size_t size) {
  for (std::size_t i = size; i-- > 0;) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void put_header(std::string& out, std::size_t length, std::uint8_t fix_base, std::size_t fix_limit,
                std::uint8_t tag8, std::uint8_t tag16, std::uint8_t tag32) {
  if (length < fix_limit) {
    out.push_back(static_cast<char>(fix_base | length));
  } else if (tag8 != 0 && length <= 0xff) {
    out.push_back(static_cast<char>(tag8));
    put_big_endian(out, length, 1);
  } else if (length <= 0xffff) {
    out.push_back(static_cast<char>(tag16));
    put_big_endian(out, length, 2);
  } else {
    out.push_back(static_cast<char>(tag32));
    put_big_endian(out, length, 4);
  }
}

void put_int(std::string& out, std::int64_t value) {
  if (value >= 0 && value <= 0x7f) return out.push_back(static_cast<char>(value));
  if (value < 0 && value >= -32) return out.push_back(static_cast<char>(value));
  if (value >= 0) {
    if (value <= 0xff) return out.push_back(char(0xcc)), put_big_endian(out, value, 1);
    if (value <= 0xffff) return out.push_back(char(0xcd)), put_big_endian(out, value, 2);
    if (value <= 0xffffffffll) return out.push_back(char(0xce)), put_big_endian(out, value, 4);
    return out.push_back(char(0xcf)), put_big_endian(out, value, 8);
  }
  if (value >= INT8_MIN) return out.push_back(char(0xd0)), put_big_endian(out, std::uint8_t(value), 1);
  if (value >= INT16_MIN) return out.push_back(char(0xd1)), put_big_endian(out, std::uint16_t(value), 2);
  if (value >= INT32_MIN) return out.push_back(char(0xd2)), put_big_endian(out, std::uint32_t(value), 4);
  out.push_back(char(0xd3));
  put_big_endian(out, std::uint64_t(value), 8);
}

const std::string* placeholder_bytes(const boost::json::object& object, std::span<const std::string> attachments) {
  if (object.size() != 2) return nullptr;
  const auto* flag = object.if_contains("_placeholder");
  const auto* num = object.if_contains("num");
  if (!flag || !num || !flag->is_bool() || !flag->get_bool()) return nullptr;
  // A "num" that is no integer (a string, 0.5) makes the map an ordinary one: to_number's
  // throwing form would take the whole emit down (an HTTP API body or a client's payload can
  // hold such a map).
  boost::system::error_code not_an_index;
  const auto index = num->to_number<std::int64_t>(not_an_index);
  if (not_an_index || index < 0 || std::size_t(index) >= attachments.size()) return nullptr;
  return &attachments[std::size_t(index)];
}

}  // namespace

std::optional<boost::json::value> decode_msgpack(std::string_view bytes, std::vector<std::string>& attachments,
                                                 std::string& error) {
  Reader reader(bytes, attachments);
  boost::json::value value;
  if (!reader.read(value, 0)) {
    error = reader.error();
    return std::nullopt;
  }
  if (!reader.finished()) {
    error = "trailing bytes";
    return std::nullopt;
  }
  return value;
}

void encode_msgpack(const boost::json::value& value, std::span<const std::string> attachments, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::null: out.push_back(char(0xc0)); return;
    case boost::json::kind::bool_: out.push_back(value.get_bool() ? char(0xc3) : char(0xc2)); return;
    case boost::json::kind::int64: put_int(out, value.get_int64()); return;
    case boost::json::kind::uint64:
      if (value.get_uint64() <= std::uint64_t(INT64_MAX)) return put_int(out, std::int64_t(value.get_uint64()));
      out.push_back(char(0xcf));
      put_big_endian(out, value.get_uint64(), 8);
      return;
    case boost::json::kind::double_:
      out.push_back(char(0xcb));
      put_big_endian(out, std::bit_cast<std::uint64_t>(value.get_double()), 8);
      return;
    case boost::json::kind::string: {
      const auto& text = value.get_string();
      put_header(out, text.size(), 0xa0, 32, 0xd9, 0xda, 0xdb);
      out.append(text.data(), text.size());
      return;
    }
    case boost::json::kind::array: {
      const auto& items = value.get_array();
      put_header(out, items.size(), 0x90, 16, 0, 0xdc, 0xdd);
      for (const auto& item : items) encode_msgpack(item, attachments, out);
      return;
    }
    case boost::json::kind::object: {
      const auto& object = value.get_object();
      if (const std::string* bytes = placeholder_bytes(object, attachments)) {
        put_header(out, bytes->size(), 0, 0, 0xc4, 0xc5, 0xc6);
        out.append(*bytes);
        return;
      }
      put_header(out, object.size(), 0x80, 16, 0, 0xde, 0xdf);
      for (const auto& field : object) {
        put_header(out, field.key().size(), 0xa0, 32, 0xd9, 0xda, 0xdb);
        out.append(field.key().data(), field.key().size());
        encode_msgpack(field.value(), attachments, out);
      }
      return;
    }
  }
}

}  // namespace sg::cluster
