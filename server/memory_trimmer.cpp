// Returning freed heap memory after disconnect waves (see memory_trimmer.hpp).
// Threading: the control loop's thread.
#include "memory_trimmer.hpp"

#include "util/log.hpp"

#include <malloc.h>

namespace sg::server {

namespace {
constexpr auto kCheckEvery = std::chrono::seconds(1);
constexpr std::int64_t kSessionsGoneBeforeTrim = 1000;
}  // namespace

MemoryTrimmer::MemoryTrimmer(boost::asio::io_context& control, const sio::Gateway& gateway)
    : gateway_(gateway), timer_(control) {}

void MemoryTrimmer::start() {
  peak_sessions_ = gateway_.tracked_sessions();
  tick();
}

void MemoryTrimmer::stop() {
  stopped_ = true;
  timer_.cancel();
}

void MemoryTrimmer::tick() {
  if (stopped_) return;
  const std::int64_t sessions = gateway_.tracked_sessions();
  if (sessions > peak_sessions_) peak_sessions_ = sessions;
  if (peak_sessions_ - sessions >= kSessionsGoneBeforeTrim) {
    malloc_trim(0);
    log::debug("heap trimmed", {{"sessions", sessions}, {"peak", peak_sessions_}});
    peak_sessions_ = sessions;
  }
  timer_.expires_after(kCheckEvery);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace sg::server
