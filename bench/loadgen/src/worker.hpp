// A worker process: owns a slice of the clients in its own epoll loop and obeys the parent's
// line commands on its control socket. Commands and replies (every reply's 2nd word is this
// process's CPU time in µs, from getrusage):
//   connect <window> <timeout_ms>  -> connected <cpu> <ok> <refused> <failed> <connect-hist> <refuse-hist>
//   reset <repeat>                 -> ok <cpu>            (clears the delivery tally)
//   notify <total>                 -> reached <cpu> <total> <last_receive_ns>   (once received >= total)
//   report                         -> report <cpu> <alive> <lost> <pings> <tally>
//   close                          -> closed <cpu>         (closes every client)
//   quit                           (exits)
// Threading: the worker process's only thread.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

struct WorkerPlan {
  sockaddr_in server{};
  std::string host_header;
  const std::vector<std::string>* tokens = nullptr;  // all clients' tokens, minted before fork
  std::uint32_t begin = 0;                           // this worker's slice [begin, end)
  std::uint32_t end = 0;
};

// Runs until "quit" or the parent goes away; returns the process exit code.
int run_worker(const WorkerPlan& plan, int control_fd);

}  // namespace loadgen
