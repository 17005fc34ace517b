// Open-loop emit ladders. For each target rate R (emits per second) the admin sends, every
// millisecond, one `bench:emit` naming the targets that fell due since the last one — users
// (`{"users":[...]}`, each user one socket, in turn) or rooms (`{"rooms":[...]}`, distinct random
// rooms of the --rooms layout) — for --step seconds, without waiting for anything. Then it waits
// up to --drain seconds for the stragglers and reads that step's deliveries (credited by seq, so
// late ones still count for their own step). A step passes with >= --min-delivered of the
// expected deliveries and p99 < --max-p99-ms; the ladder stops at the first failing step and
// reports the highest passing rate as the maximum sustained rate.
#include "scenarios.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

namespace loadgen {

namespace {

constexpr std::uint32_t kMaxTargetsPerEmit = 500;

// Where each target's receivers live: per target, (worker, how many of its clients).
using TargetSpread = std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>>;

std::uint32_t worker_of(const Coordinator& coordinator, std::uint32_t client) {
  std::uint32_t begin = 0;
  for (std::uint32_t w = 0; w < coordinator.workers(); ++w) {
    begin += coordinator.slice_size(w);
    if (client < begin) return w;
  }
  return static_cast<std::uint32_t>(coordinator.workers() - 1);
}

TargetSpread spread_of_targets(const Coordinator& coordinator, bool rooms) {
  const auto& options = coordinator.options();
  TargetSpread spread;
  if (!rooms) {
    for (std::uint32_t i = 0; i < options.clients; ++i) spread.push_back({{worker_of(coordinator, i), 1}});
    return spread;
  }
  std::uint32_t client = 0;  // clients fill the rooms in order (see main.cpp's token claims)
  for (auto [count, size] : options.rooms) {
    for (std::uint32_t r = 0; r < count; ++r) {
      std::vector<std::pair<std::uint32_t, std::uint32_t>> members;
      for (std::uint32_t k = 0; k < size; ++k, ++client) {
        const std::uint32_t w = worker_of(coordinator, client);
        if (members.empty() || members.back().first != w) members.emplace_back(w, 0);
        ++members.back().second;
      }
      spread.push_back(std::move(members));
    }
  }
  return spread;
}

struct StepPlan {
  std::uint64_t emits = 0;
  std::vector<std::uint64_t> expected_per_worker;
  std::uint64_t expected() const {
    std::uint64_t total = 0;
    for (auto n : expected_per_worker) total += n;
    return total;
  }
};

}  // namespace

int run_ladder(Coordinator& coordinator, bool rooms) {
  const auto& options = coordinator.options();
  const ConnectOutcome outcome = connect_and_report(coordinator, "connect");
  if (!coordinator.connect_admin()) {
    result_line(coordinator, "error").add("error", "admin connection failed").print();
    return 4;
  }
  const TargetSpread spread = spread_of_targets(coordinator, rooms);
  const auto target_count = static_cast<std::uint32_t>(spread.size());
  const std::uint32_t batch_cap = std::max<std::uint32_t>(1, std::min(kMaxTargetsPerEmit, rooms ? target_count / 2 : target_count));
  const char* target_key = rooms ? "rooms" : "users";
  const char* target_prefix = rooms ? "r" : "u";
  std::mt19937 random(12345);
  std::uint32_t next_user = 0;

  coordinator.ask_all("reset 1", "ok", 10);
  std::vector<std::uint64_t> cumulative(coordinator.workers(), 0);
  std::uint64_t emits_sent = 0;
  double best_rate = 0;
  double best_deliveries_per_s = 0;

  for (std::size_t k = 0; k < options.rates.size(); ++k) {
    const double rate = options.rates[k];
    const std::uint64_t step = k + 1;
    StepPlan plan;
    plan.expected_per_worker.assign(coordinator.workers(), 0);
    const PhaseMark before = PhaseMark::take(coordinator);
    const std::uint64_t start = monotonic_ns();
    const std::uint64_t end = start + static_cast<std::uint64_t>(options.step_s * 1e9);
    std::string targets;
    auto send_due = [&] {
      const std::uint64_t now = std::min(monotonic_ns(), end);
      const auto due_total = static_cast<std::uint64_t>(static_cast<double>(now - start) * rate / 1e9);
      while (plan.emits < due_total) {
        const auto batch = static_cast<std::uint32_t>(std::min<std::uint64_t>(due_total - plan.emits, batch_cap));
        std::unordered_set<std::uint32_t> chosen;
        targets.clear();
        for (std::uint32_t b = 0; b < batch; ++b) {
          std::uint32_t target;
          if (rooms) {
            do target = static_cast<std::uint32_t>(random() % target_count);
            while (!chosen.insert(target).second);
          } else {
            target = next_user;
            next_user = (next_user + 1) % target_count;
          }
          if (b) targets += ',';
          targets += "\"";
          targets += target_prefix;
          targets += std::to_string(target);
          targets += "\"";
          for (auto [worker, n] : spread[target]) plan.expected_per_worker[worker] += n;
        }
        std::uint64_t t = 0;
        const std::string payload = coordinator.stamped_payload(coordinator.next_seq(step), t);
        coordinator.bench_emit(std::string(R"({"to":{")") + target_key + "\":[" + targets + R"(]},"ev":"bench","payload":)" +
                               payload + "}");
        ++emits_sent;
        plan.emits += batch;
      }
    };
    coordinator.loop().run_until([&] { return monotonic_ns() >= end; }, end + 1'000'000, send_due);
    send_due();
    const double sent_s = static_cast<double>(monotonic_ns() - start) / 1e9;

    std::vector<std::string> lines;
    for (std::size_t w = 0; w < cumulative.size(); ++w) {
      cumulative[w] += plan.expected_per_worker[w];
      lines.push_back("notify " + std::to_string(cumulative[w]));
    }
    coordinator.ask_each(lines, "reached", options.drain_s, [&](std::size_t worker, const Words& words) {
      return words.size() >= 4 && std::stoull(words[2]) == cumulative[worker];
    });
    coordinator.await_acks(emits_sent, 0.5);
    const MergedReport report = collect_report(coordinator);
    const PhaseMark after = PhaseMark::take(coordinator);

    const auto found = report.steps.find(step);
    const StepTally tally = found == report.steps.end() ? StepTally{} : found->second;
    const std::uint64_t expected = plan.expected();
    const double delivered = expected ? static_cast<double>(tally.received) / static_cast<double>(expected) : 0.0;
    const double p99_ms = static_cast<double>(tally.latency.quantile(0.99)) / 1e6;
    const bool pass = delivered >= options.min_delivered && p99_ms < options.max_p99_ms && report.lost == 0;

    JsonLine line = result_line(coordinator, "step");
    line.add("clients", outcome.connected).add("targets", target_count).add("payload_bytes", options.payload_bytes);
    line.add("rate_target", rate).add("emits", plan.emits).add("rate_achieved", static_cast<double>(plan.emits) / sent_s);
    line.add("expected", expected).add("received", tally.received).add("delivered_ratio", delivered);
    line.add("duplicates_total", report.duplicates).add("lost_clients", report.lost);
    const double server_us = add_cpu_fields(line, before, after);
    line.add("server_cpu_us_per_delivery", tally.received ? server_us / static_cast<double>(tally.received) : 0.0);
    line.add("deliveries_per_s", static_cast<double>(tally.received) / options.step_s);
    line.raw("latency_ms", latency_summary_ms(tally.latency));
    line.add("pass", pass);
    line.print();
    if (!pass) break;
    best_rate = rate;
    best_deliveries_per_s = static_cast<double>(tally.received) / options.step_s;
  }

  JsonLine summary = result_line(coordinator, "ladder");
  summary.add("clients", outcome.connected).add("targets", target_count);
  summary.add("max_sustained_rate", best_rate).add("deliveries_per_s_at_max", best_deliveries_per_s);
  summary.add("top_rate_passed", best_rate == options.rates.back());
  summary.print();
  coordinator.ask_all("close", "closed", 30);
  return 0;
}

}  // namespace loadgen
