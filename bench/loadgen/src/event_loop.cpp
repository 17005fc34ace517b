// epoll plumbing (see event_loop.hpp).
#include "event_loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <stdexcept>

namespace loadgen {

std::uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::runtime_error("epoll_create1 failed");
}

EventLoop::~EventLoop() { close(epoll_fd_); }

void EventLoop::add(int fd, std::uint32_t events, FdHandler* handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) throw std::runtime_error("epoll_ctl ADD failed");
}

void EventLoop::modify(int fd, std::uint32_t events, FdHandler* handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
}

void EventLoop::remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

bool EventLoop::run_until(const std::function<bool()>& done, std::uint64_t deadline_ns,
                          const std::function<void()>& tick) {
  epoll_event events[512];
  while (!done()) {
    const std::uint64_t now = monotonic_ns();
    if (now >= deadline_ns) return done();
    int timeout_ms = static_cast<int>(std::min<std::uint64_t>((deadline_ns - now) / 1'000'000 + 1, 100));
    if (tick) timeout_ms = 1;
    const int ready = epoll_wait(epoll_fd_, events, 512, timeout_ms);
    if (ready < 0 && errno != EINTR) throw std::runtime_error("epoll_wait failed");
    for (int i = 0; i < ready; ++i) static_cast<FdHandler*>(events[i].data.ptr)->on_ready(events[i].events);
    if (tick) tick();
  }
  return true;
}

}  // namespace loadgen
