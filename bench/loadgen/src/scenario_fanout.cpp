// Fan-out to everyone through the admin's `bench:emit {"to":"all"}`.
// - paced: one message, wait until every client has it, repeat --messages times; per message
//   the time to the last client, and every delivery's latency.
// - burst: one bench:emit with repeat = --burst-repeat (the server issues that many emits back to
//   back), --bursts times; deliveries per second and server CPU per delivery.
// Exact counts: expected = messages x clients (x repeat); duplicates and reorderings by seq.
#include "scenarios.hpp"

#include <algorithm>

namespace loadgen {

namespace {

// Waits until each worker has received `per_worker[w] * multiple` deliveries since its reset;
// returns the latest receive time, or 0 on timeout.
std::uint64_t await_deliveries(Coordinator& coordinator, const std::vector<std::uint64_t>& per_worker,
                               std::uint64_t multiple, double timeout_s) {
  std::vector<std::string> lines;
  for (auto n : per_worker) lines.push_back("notify " + std::to_string(n * multiple));
  const auto replies = coordinator.ask_each(lines, "reached", timeout_s, [&](std::size_t worker, const Words& words) {
    return words.size() >= 4 && std::stoull(words[2]) == per_worker[worker] * multiple;
  });
  std::uint64_t last = 0;
  for (const auto& words : replies) last = std::max<std::uint64_t>(last, std::stoull(words[3]));
  return last;
}

std::string emit_all(Coordinator& coordinator, std::uint64_t seq, std::uint32_t repeat, std::uint64_t& t_ns) {
  const std::string payload = coordinator.stamped_payload(seq, t_ns);
  return R"({"to":"all","ev":"bench","payload":)" + payload + R"(,"repeat":)" + std::to_string(repeat) + "}";
}

void add_delivery_fields(JsonLine& line, std::uint64_t expected, const MergedReport& report, double server_us) {
  line.add("expected", expected).add("received", report.received).add("duplicates", report.duplicates);
  line.add("reordered", report.reordered).add("lost_clients", report.lost);
  line.add("exact", report.received == expected && report.duplicates == 0);
  line.add("server_cpu_us_per_delivery", report.received ? server_us / static_cast<double>(report.received) : 0.0);
  line.raw("latency_ms", latency_summary_ms(report.all_latency));
}

}  // namespace

int run_fanout(Coordinator& coordinator) {
  const auto& options = coordinator.options();
  const ConnectOutcome outcome = connect_and_report(coordinator, "connect");
  if (!coordinator.connect_admin()) {
    result_line(coordinator, "error").add("error", "admin connection failed").print();
    return 4;
  }
  const auto& per_worker = outcome.connected_per_worker;
  bool exact = true;

  if (options.messages > 0) {
    coordinator.ask_all("reset 1", "ok", 10);
    const PhaseMark before = PhaseMark::take(coordinator);
    LatencyHistogram time_to_last;
    std::uint32_t completed = 0;
    for (std::uint32_t m = 1; m <= options.messages; ++m) {
      std::uint64_t t = 0;
      coordinator.bench_emit(emit_all(coordinator, coordinator.next_seq(0), 1, t));
      const std::uint64_t last = await_deliveries(coordinator, per_worker, m, options.message_timeout_s);
      if (!last) break;
      time_to_last.record(last - t);
      ++completed;
    }
    coordinator.await_acks(options.messages, 10);
    const MergedReport report = collect_report(coordinator);
    const PhaseMark after = PhaseMark::take(coordinator);
    JsonLine line = result_line(coordinator, "paced");
    line.add("clients", outcome.connected).add("messages", options.messages).add("completed", completed);
    line.add("payload_bytes", options.payload_bytes);
    const double server_us = add_cpu_fields(line, before, after);
    const std::uint64_t expected = std::uint64_t{options.messages} * outcome.connected;
    add_delivery_fields(line, expected, report, server_us);
    line.raw("time_to_last_ms", latency_summary_ms(time_to_last));
    line.print();
    exact = exact && report.received == expected && report.duplicates == 0;
  }

  if (options.burst_repeat > 0 && options.bursts > 0) {
    coordinator.ask_all("reset " + std::to_string(options.burst_repeat), "ok", 10);
    const PhaseMark before = PhaseMark::take(coordinator);
    double delivery_wall_s = 0;
    std::uint32_t completed = 0;
    for (std::uint32_t b = 1; b <= options.bursts; ++b) {
      std::uint64_t t = 0;
      coordinator.bench_emit(emit_all(coordinator, coordinator.next_seq(b), options.burst_repeat, t));
      const std::uint64_t last = await_deliveries(coordinator, per_worker, std::uint64_t{b} * options.burst_repeat,
                                                  options.message_timeout_s);
      if (!last) break;
      delivery_wall_s += static_cast<double>(last - t) / 1e9;
      ++completed;
    }
    coordinator.await_acks(std::uint64_t{options.messages} + options.bursts, 10);
    const MergedReport report = collect_report(coordinator);
    const PhaseMark after = PhaseMark::take(coordinator);
    JsonLine line = result_line(coordinator, "burst");
    line.add("clients", outcome.connected).add("repeat", options.burst_repeat).add("bursts", options.bursts);
    line.add("completed", completed).add("payload_bytes", options.payload_bytes);
    const double server_us = add_cpu_fields(line, before, after);
    const std::uint64_t expected = std::uint64_t{options.bursts} * options.burst_repeat * outcome.connected;
    add_delivery_fields(line, expected, report, server_us);
    line.add("deliveries_per_s", delivery_wall_s > 0 ? static_cast<double>(report.received) / delivery_wall_s : 0.0);
    line.add("issued", coordinator.issued());
    line.print();
    exact = exact && report.received == expected && report.duplicates == 0;
  }
  coordinator.ask_all("close", "closed", 30);
  return exact ? 0 : 3;
}

}  // namespace loadgen
