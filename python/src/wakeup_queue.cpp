// The eventfd of a WakeupQueue (see wakeup_queue.hpp).
// Threading: signal() from any thread; reset() from the Python loop thread.
#include "wakeup_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace sg::py {

WakeupFd::WakeupFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

WakeupFd::~WakeupFd() { ::close(fd_); }

void WakeupFd::signal() {
  const std::uint64_t one = 1;
  // Cannot fail short of a counter overflow; a failed write would only delay the batch
  // until the next push, so the result is not checked.
  [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
}

void WakeupFd::reset() {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto read = ::read(fd_, &count, sizeof count);  // EAGAIN when already reset
}

}  // namespace sg::py
