// /proc parsing and getrusage (see process_probe.hpp).
#include "process_probe.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace loadgen {

namespace {

std::uint64_t field_kib(const std::string& path, const char* key) {
  std::ifstream file(path);
  std::string line;
  const std::size_t key_size = std::strlen(key);
  while (std::getline(file, line)) {
    if (line.compare(0, key_size, key) == 0) return std::stoull(line.substr(key_size));
  }
  return 0;
}

}  // namespace

ServerCpu read_server_cpu(int pid) {
  ServerCpu cpu;
  if (pid <= 0) return cpu;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren != std::string::npos) {
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    // after "pid (comm) ", field 3 (state) is index 0; utime is field 14, stime 15
    for (int i = 0; i <= 12 && fields >> field; ++i) {
      if (i == 11) utime = std::stoull(field);
      if (i == 12) stime = std::stoull(field);
    }
    const long ticks = sysconf(_SC_CLK_TCK);
    cpu.stat_us = (utime + stime) * 1'000'000ull / static_cast<std::uint64_t>(ticks > 0 ? ticks : 100);
  }
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* dir = opendir(tasks.c_str())) {
    std::uint64_t total_ns = 0;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream schedstat(tasks + "/" + entry->d_name + "/schedstat");
      std::uint64_t run_ns = 0;
      if (schedstat >> run_ns) total_ns += run_ns;
    }
    closedir(dir);
    cpu.sched_us = total_ns / 1000;
  }
  return cpu;
}

std::uint64_t read_server_rss_kib(int pid) {
  return pid > 0 ? field_kib("/proc/" + std::to_string(pid) + "/status", "VmRSS:") : 0;
}

std::uint64_t read_server_pss_kib(int pid) {
  return pid > 0 ? field_kib("/proc/" + std::to_string(pid) + "/smaps_rollup", "Pss:") : 0;
}

std::uint64_t own_cpu_us() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& tv) { return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000ull + static_cast<std::uint64_t>(tv.tv_usec); };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

std::uint64_t machine_busy_us() {
  std::ifstream stat("/proc/stat");
  std::string label;
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const long ticks = sysconf(_SC_CLK_TCK);
  return (user + nice + system + irq + softirq + steal) * 1'000'000ull / static_cast<std::uint64_t>(ticks > 0 ? ticks : 100);
}

}  // namespace loadgen
