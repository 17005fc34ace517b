// Structured logging: one JSON object per line on stderr,
//   {"ts":"2026-11-23T22:15:03.123Z","level":"info","msg":"listening","port":8000}
// Fields are key/value pairs; values are strings or integers, escaped as JSON.
// A small logger of our own rather than a library: the libraries packaged for Debian
// format text patterns and do not escape field values as JSON.
//
// Threading: any thread; each line is written with a single write(2), so lines never mix.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace sg::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

struct Field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t> value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
  Field(std::string_view k, Int v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

void set_level(Level level);
bool enabled(Level level);
// Parses "debug" | "info" | "warn" | "error"; returns false for anything else.
bool parse_level(std::string_view text, Level& level);

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { if (enabled(Level::debug)) write(Level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { if (enabled(Level::info)) write(Level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { if (enabled(Level::warn)) write(Level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::error, m, f); }

}  // namespace sg::log
