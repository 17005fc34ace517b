// The parent <-> worker link: one end of a socketpair carrying text lines (commands down,
// replies up). Writes are blocking and whole (lines are short, except a reply's histograms);
// reads are non-blocking inside the owner's event loop and delivered line by line.
// Threading: the owning process's loop thread.
#pragma once

#include "event_loop.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace loadgen {

class ControlChannel final : public FdHandler {
 public:
  using LineHandler = std::function<void(std::string_view line)>;

  ControlChannel(EventLoop& loop, int fd, LineHandler on_line);
  ~ControlChannel() override;
  ControlChannel(const ControlChannel&) = delete;
  ControlChannel& operator=(const ControlChannel&) = delete;

  void send_line(std::string_view line);
  bool closed() const { return closed_; }
  void on_ready(std::uint32_t epoll_events) override;

 private:
  EventLoop& loop_;
  int fd_;
  LineHandler on_line_;
  std::string pending_;
  bool closed_ = false;
};

}  // namespace loadgen
