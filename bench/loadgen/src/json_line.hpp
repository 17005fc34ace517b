// A tiny JSON object writer for the one-line results on stdout, and the latency summary every
// scenario prints (milliseconds, from a LatencyHistogram in nanoseconds).
// Threading: any thread (values are built locally).
#pragma once

#include "latency_histogram.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace loadgen {

class JsonLine {
 public:
  JsonLine& add(std::string_view key, const std::string& value) { return raw(key, "\"" + value + "\""); }
  JsonLine& add(std::string_view key, const char* value) { return add(key, std::string(value)); }
  JsonLine& add(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  JsonLine& add(std::string_view key, std::uint64_t value) { return raw(key, std::to_string(value)); }
  JsonLine& add(std::string_view key, std::uint32_t value) { return raw(key, std::to_string(value)); }
  JsonLine& add(std::string_view key, int value) { return raw(key, std::to_string(value)); }
  JsonLine& add(std::string_view key, double value) {
    if (!std::isfinite(value)) return raw(key, "null");
    char text[64];
    std::snprintf(text, sizeof text, "%.4g", value);
    if (std::fabs(value) >= 1e4) std::snprintf(text, sizeof text, "%.0f", value);
    return raw(key, text);
  }
  JsonLine& raw(std::string_view key, std::string_view json) {
    text_ += text_.size() > 1 ? ",\"" : "\"";
    text_ += key;
    text_ += "\":";
    text_ += json;
    return *this;
  }
  std::string str() const { return text_ + "}"; }
  void print() const {
    std::fputs((str() + "\n").c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  std::string text_ = "{";
};

inline std::string latency_summary_ms(const LatencyHistogram& histogram) {
  auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  return JsonLine()
      .add("count", histogram.count())
      .add("p50", ms(histogram.quantile(0.50)))
      .add("p90", ms(histogram.quantile(0.90)))
      .add("p99", ms(histogram.quantile(0.99)))
      .add("p999", ms(histogram.quantile(0.999)))
      .add("max", ms(histogram.max()))
      .str();
}

}  // namespace loadgen
