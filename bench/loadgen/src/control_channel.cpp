// Line framing over a socketpair (see control_channel.hpp).
#include "control_channel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace loadgen {

ControlChannel::ControlChannel(EventLoop& loop, int fd, LineHandler on_line)
    : loop_(loop), fd_(fd), on_line_(std::move(on_line)) {
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  loop_.add(fd_, EPOLLIN, this);
}

ControlChannel::~ControlChannel() { close(fd_); }

void ControlChannel::send_line(std::string_view line) {
  std::string data(line);
  data += '\n';
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t sent = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (sent > 0) {
      done += static_cast<std::size_t>(sent);
    } else if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd wait{fd_, POLLOUT, 0};
      poll(&wait, 1, 100);
    } else {
      closed_ = true;
      return;
    }
  }
}

void ControlChannel::on_ready(std::uint32_t) {
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
      closed_ = true;
      loop_.remove(fd_);
      return;
    }
    if (got < 0) return;
    pending_.append(buffer, static_cast<std::size_t>(got));
    std::size_t start = 0;
    for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n', start)) {
      const std::string line = pending_.substr(start, end - start);
      start = end + 1;
      on_line_(line);
    }
    pending_.erase(0, start);
  }
}

}  // namespace loadgen
