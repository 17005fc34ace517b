// The notice queue and its eventfd (see notice_queue.hpp).
// Threading: push() from any thread; take_all() from the Python loop thread.
#include "notice_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace sg::py {

NoticeQueue::NoticeQueue() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

NoticeQueue::~NoticeQueue() { ::close(fd_); }

void NoticeQueue::push(Notice notice) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(notice));
    if (!wakeup_pending_) {
      wakeup_pending_ = true;
      wake = true;
    }
  }
  if (!wake) return;
  const std::uint64_t one = 1;
  // Cannot fail short of a counter overflow; a failed write would only delay the batch
  // until the next push, so the result is not checked.
  [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
}

std::vector<Notice> NoticeQueue::take_all() {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto read = ::read(fd_, &count, sizeof count);  // EAGAIN when already reset
  std::vector<Notice> taken;
  std::lock_guard lock(mutex_);
  taken.swap(queue_);
  wakeup_pending_ = false;
  return taken;
}

}  // namespace sg::py
