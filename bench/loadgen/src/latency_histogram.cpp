// Log-linear histogram arithmetic and its text form (see latency_histogram.hpp).
#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <charconv>

namespace loadgen {

int LatencyHistogram::index_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<int>(value);
  const int exponent = 63 - std::countl_zero(value);  // >= 4
  const int sub = static_cast<int>((value >> (exponent - 4)) & (kSubBuckets - 1));
  return (exponent - 3) * kSubBuckets + sub;
}

std::uint64_t LatencyHistogram::upper_edge(int index) {
  if (index < kSubBuckets) return static_cast<std::uint64_t>(index);
  const int exponent = index / kSubBuckets + 3;
  const std::uint64_t sub = static_cast<std::uint64_t>(index % kSubBuckets);
  const std::uint64_t low = (std::uint64_t{1} << exponent) + (sub << (exponent - 4));
  return low + (std::uint64_t{1} << (exponent - 4)) - 1;
}

void LatencyHistogram::record(std::uint64_t nanoseconds) {
  ++buckets_[static_cast<std::size_t>(index_of(nanoseconds))];
  ++count_;
  min_ = std::min(min_, nanoseconds);
  max_ = std::max(max_, nanoseconds);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) buckets_[static_cast<std::size_t>(i)] += other.buckets_[static_cast<std::size_t>(i)];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::clear() { *this = LatencyHistogram(); }

std::uint64_t LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::max(1.0, q * static_cast<double>(count_) + 0.5));
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[static_cast<std::size_t>(i)];
    if (seen >= std::min(rank, count_)) return std::min(upper_edge(i), max_);
  }
  return max_;
}

std::string LatencyHistogram::serialize() const {
  std::string out = std::to_string(count_) + "," + std::to_string(min()) + "," + std::to_string(max_) + ";";
  bool first = true;
  for (int i = 0; i < kBuckets; ++i) {
    if (!buckets_[static_cast<std::size_t>(i)]) continue;
    if (!first) out += ',';
    first = false;
    out += std::to_string(i) + ":" + std::to_string(buckets_[static_cast<std::size_t>(i)]);
  }
  return out;
}

LatencyHistogram LatencyHistogram::parse(std::string_view text) {
  LatencyHistogram histogram;
  auto number = [&](std::string_view& rest) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    if (!rest.empty()) rest.remove_prefix(1);  // the separator after it
    return value;
  };
  std::string_view rest = text;
  histogram.count_ = number(rest);
  const std::uint64_t min = number(rest);
  histogram.max_ = number(rest);
  histogram.min_ = histogram.count_ ? min : UINT64_MAX;
  while (!rest.empty()) {
    const auto index = number(rest);
    const auto n = number(rest);
    if (index < static_cast<std::uint64_t>(kBuckets)) histogram.buckets_[index] = n;
  }
  return histogram;
}

}  // namespace loadgen
