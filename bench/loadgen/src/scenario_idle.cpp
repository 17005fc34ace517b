// Idle hold: connect N clients, hold them for --hold seconds (answering every ping), read the
// server's RSS and PSS before connecting, after connecting, at the end of the hold, and
// --settle seconds after disconnecting everyone (does the memory come back?).
#include "scenarios.hpp"

namespace loadgen {

int run_idle_hold(Coordinator& coordinator) {
  const auto& options = coordinator.options();
  const int pid = options.server_pid;
  const std::uint64_t rss_before = read_server_rss_kib(pid);
  const std::uint64_t pss_before = read_server_pss_kib(pid);
  const ConnectOutcome outcome = connect_and_report(coordinator, "connect");
  const std::uint64_t rss_connected = read_server_rss_kib(pid);
  const std::uint64_t pss_connected = read_server_pss_kib(pid);

  const PhaseMark before = PhaseMark::take(coordinator);
  const std::uint64_t hold_until = monotonic_ns() + static_cast<std::uint64_t>(options.hold_s * 1e9);
  coordinator.loop().run_until([] { return false; }, hold_until);
  const MergedReport report = collect_report(coordinator);
  const PhaseMark after = PhaseMark::take(coordinator);
  const std::uint64_t rss_held = read_server_rss_kib(pid);
  const std::uint64_t pss_held = read_server_pss_kib(pid);

  coordinator.ask_all("close", "closed", 30);
  coordinator.loop().run_until([] { return false; }, monotonic_ns() + static_cast<std::uint64_t>(options.settle_s * 1e9));
  const std::uint64_t rss_closed = read_server_rss_kib(pid);
  const std::uint64_t pss_closed = read_server_pss_kib(pid);

  JsonLine line = result_line(coordinator, "idle");
  line.add("clients", options.clients).add("connected", outcome.connected).add("hold_s", options.hold_s);
  line.add("alive_after_hold", report.alive).add("lost", report.lost).add("pings_answered", report.pings);
  line.add("pings_per_client", outcome.connected ? static_cast<double>(report.pings) / static_cast<double>(outcome.connected) : 0.0);
  add_cpu_fields(line, before, after);
  line.add("rss_kib_before", rss_before).add("rss_kib_connected", rss_connected).add("rss_kib_held", rss_held);
  line.add("rss_kib_after_disconnect", rss_closed);
  line.add("pss_kib_before", pss_before).add("pss_kib_connected", pss_connected).add("pss_kib_held", pss_held);
  line.add("pss_kib_after_disconnect", pss_closed);
  const double n = outcome.connected ? static_cast<double>(outcome.connected) : 1.0;
  line.add("rss_kib_per_connection", (static_cast<double>(rss_held) - static_cast<double>(rss_before)) / n);
  line.add("pss_kib_per_connection", (static_cast<double>(pss_held) - static_cast<double>(pss_before)) / n);
  line.print();
  return report.alive == options.clients ? 0 : 3;
}

}  // namespace loadgen
