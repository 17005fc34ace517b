// sg-loadgen: the benchmarks' load generator. Mints every client's JWT first, forks
// --processes workers (each one epoll loop over its slice of the clients; the per-process fd
// limit is ~20,000), keeps the admin connection and the scenario logic in the parent, and prints
// one JSON line per measured phase on stdout. See bench/loadgen/README.md.
// Threading: one thread per process.
#include "coordinator.hpp"
#include "jwt_mint.hpp"
#include "options.hpp"
#include "scenarios.hpp"
#include "worker.hpp"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <iostream>

using namespace loadgen;

namespace {

void raise_fd_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

// Client i is user "u<i>"; in rooms-ladder it also belongs to one room "r<k>", filled in order.
std::vector<std::string> mint_client_tokens(const Options& options, long long exp) {
  std::vector<std::string> tokens;
  tokens.reserve(options.clients);
  std::vector<std::string> room_of;
  for (auto [count, size] : options.rooms) {
    const std::size_t first_room = room_of.empty() ? 0 : std::stoul(room_of.back().substr(1)) + 1;
    for (std::uint32_t r = 0; r < count; ++r) {
      for (std::uint32_t k = 0; k < size; ++k) room_of.push_back("r" + std::to_string(first_room + r));
    }
  }
  for (std::uint32_t i = 0; i < options.clients; ++i) {
    TokenClaims claims{"u" + std::to_string(i), exp, {}, {}};
    if (i < room_of.size()) claims.rooms.push_back(room_of[i]);
    tokens.push_back(mint_hs256(claims, options.secret, options.bad_signature));
  }
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto parsed = parse_options(argc, argv, exit_code);
  if (!parsed) return exit_code;
  const Options& options = *parsed;
  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();

  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<std::uint16_t>(options.port));
  if (inet_pton(AF_INET, options.host.c_str(), &server.sin_addr) != 1) {
    std::cerr << "sg-loadgen: --host must be an IPv4 address\n";
    return 2;
  }
  const std::string host_header = options.host + ":" + std::to_string(options.port);

  // Every token exists before any clock starts.
  const long long exp = static_cast<long long>(std::time(nullptr)) + 6 * 3600;
  const std::vector<std::string> tokens = mint_client_tokens(options, exp);
  const std::string admin_token = mint_hs256({"bench-admin", exp, {}, "admin"}, options.secret);

  std::vector<int> parent_ends;
  std::vector<std::uint32_t> slice_sizes;
  std::vector<pid_t> children;
  std::uint32_t begin = 0;
  for (std::uint32_t w = 0; w < options.processes; ++w) {
    const std::uint32_t size = options.clients / options.processes + (w < options.clients % options.processes ? 1 : 0);
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return 1;
    const pid_t child = fork();
    if (child == 0) {
      for (int fd : parent_ends) close(fd);
      close(pair[0]);
      WorkerPlan plan{server, host_header, &tokens, begin, begin + size};
      _exit(run_worker(plan, pair[1]));
    }
    close(pair[1]);
    parent_ends.push_back(pair[0]);
    slice_sizes.push_back(size);
    children.push_back(child);
    begin += size;
  }

  int code = 0;
  {
    Coordinator coordinator(options, parent_ends, slice_sizes, server, host_header, admin_token);
    if (options.mode == "connect") code = run_connect_storm(coordinator);
    else if (options.mode == "idle") code = run_idle_hold(coordinator);
    else if (options.mode == "fanout") code = run_fanout(coordinator);
    else if (options.mode == "user-ladder") code = run_ladder(coordinator, false);
    else code = run_ladder(coordinator, true);
    coordinator.send_all("quit");
  }
  for (pid_t child : children) waitpid(child, nullptr, 0);
  return code;
}
