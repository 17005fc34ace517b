// MemoryTrimmer: hands freed heap memory back to the kernel after many connections closed.
//
// glibc keeps what a wave of disconnects freed inside its arenas (one per shard thread), so
// the process RSS would stay at its peak. Every second the trimmer compares the number of
// live sessions with the most seen since the last trim; when it fell by a thousand or more it calls
// malloc_trim(0), which returns the arenas' free pages. Idle, it costs one timer tick.
//
// Threading: runs on the control loop's thread (the io_context given to it).
#pragma once

#include "sio/gateway.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>

namespace sg::server {

class MemoryTrimmer {
 public:
  MemoryTrimmer(boost::asio::io_context& control, const sio::Gateway& gateway);
  void start();
  void stop();

 private:
  void tick();

  const sio::Gateway& gateway_;
  boost::asio::steady_timer timer_;
  std::int64_t peak_sessions_ = 0;  // since the last trim
  bool stopped_ = false;
};

}  // namespace sg::server
