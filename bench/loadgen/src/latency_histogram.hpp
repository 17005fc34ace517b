// A log-linear latency histogram in nanoseconds (HDR-like): values below 16 ns are exact, above
// that each power of two is split into 16 linear sub-buckets, so any recorded value is known to
// within 1/16 (6.25 %). Fixed size, no allocation on record, mergeable, and serialisable to one
// text line so worker processes can ship theirs to the parent.
// Threading: one owner thread; copy to share.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

class LatencyHistogram {
 public:
  static constexpr int kSubBuckets = 16;
  static constexpr int kBuckets = (64 - 3) * kSubBuckets;

  void record(std::uint64_t nanoseconds);
  void merge(const LatencyHistogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  // The value at quantile q (0..1): the upper edge of the bucket holding it, capped at max().
  std::uint64_t quantile(double q) const;

  // "count,min,max;index:n,index:n,..." — only non-empty buckets.
  std::string serialize() const;
  static LatencyHistogram parse(std::string_view text);

 private:
  static int index_of(std::uint64_t value);
  static std::uint64_t upper_edge(int index);

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace loadgen
