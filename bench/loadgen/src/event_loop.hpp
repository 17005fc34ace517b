// One epoll loop per process. Every file descriptor is registered with a handler object that
// lives at least as long as its registration; run_until() turns the loop until a predicate holds
// or a deadline passes, calling an optional per-turn tick (used by rate-paced senders).
// Threading: single-threaded by design — one loop, one thread, one process.
#pragma once

#include <cstdint>
#include <functional>

namespace loadgen {

std::uint64_t monotonic_ns();  // CLOCK_MONOTONIC, the clock every latency is measured with

class FdHandler {
 public:
  virtual ~FdHandler() = default;
  virtual void on_ready(std::uint32_t epoll_events) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void add(int fd, std::uint32_t events, FdHandler* handler);
  void modify(int fd, std::uint32_t events, FdHandler* handler);
  void remove(int fd);

  // Turns the loop until done() is true (checked after every turn) or deadline_ns passes.
  // Returns done(). With a tick, the loop wakes at least every millisecond to call it.
  bool run_until(const std::function<bool()>& done, std::uint64_t deadline_ns,
                 const std::function<void()>& tick = {});

 private:
  int epoll_fd_;
};

}  // namespace loadgen
