// Random ids and their shard hash (see random_id.hpp).
// Threading: any thread; the random byte pool is thread_local.
#include "util/random_id.hpp"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace sg {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

class RandomPool {
 public:
  void fill(std::uint8_t* out, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      if (next_ == pool_.size()) refill();
      out[i] = pool_[next_++];
    }
  }

 private:
  void refill() {
    std::size_t got = 0;
    while (got < pool_.size()) {
      const ssize_t n = getrandom(pool_.data() + got, pool_.size() - got, 0);
      if (n < 0) throw std::runtime_error("getrandom failed");
      got += static_cast<std::size_t>(n);
    }
    next_ = 0;
  }
  std::array<std::uint8_t, 4096> pool_{};
  std::size_t next_ = pool_.size();
};

}  // namespace

std::string random_id() {
  thread_local RandomPool pool;
  std::uint8_t bytes[15];
  pool.fill(bytes, sizeof bytes);
  std::string id;
  id.reserve(20);
  for (std::size_t i = 0; i < sizeof bytes; i += 3) {
    const std::uint32_t group = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    id += kAlphabet[(group >> 18) & 63];
    id += kAlphabet[(group >> 12) & 63];
    id += kAlphabet[(group >> 6) & 63];
    id += kAlphabet[group & 63];
  }
  return id;
}

std::size_t shard_of(std::string_view id, std::size_t shard_count) {
  if (shard_count <= 1) return 0;
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<std::size_t>(hash % shard_count);
}

std::string random_id_for_shard(std::size_t shard, std::size_t shard_count, std::string_view prefix) {
  for (;;) {
    std::string id = std::string(prefix) + random_id();
    if (shard_of(id, shard_count) == shard) return id;
  }
}

}  // namespace sg
