// Connect storm: N clients connect with at most W in flight; latency from the TCP connect()
// to the CONNECT ack (or, with --bad-signature, to the CONNECT error), connects per second and
// server CPU per connect. Also home of the helpers every scenario shares (scenarios.hpp).
#include "scenarios.hpp"

namespace loadgen {

MergedReport collect_report(Coordinator& coordinator) {
  MergedReport merged;
  const auto replies = coordinator.ask_all("report", "report", 30);
  merged.complete = !replies.empty();
  for (const auto& words : replies) {
    if (words.size() < 9) continue;
    merged.alive += std::stoull(words[2]);
    merged.lost += std::stoull(words[3]);
    merged.pings += std::stoull(words[4]);
    merged.received += std::stoull(words[5]);
    merged.duplicates += std::stoull(words[6]);
    merged.reordered += std::stoull(words[7]);
    merged.unparsed += std::stoull(words[8]);
    for (std::size_t i = 9; i < words.size(); ++i) {
      const std::string& word = words[i];  // step=<k>:<received>:<histogram>
      const auto first = word.find(':');
      const auto second = word.find(':', first + 1);
      if (word.rfind("step=", 0) != 0 || first == std::string::npos || second == std::string::npos) continue;
      auto& step = merged.steps[std::stoull(word.substr(5, first - 5))];
      step.received += std::stoull(word.substr(first + 1, second - first - 1));
      const auto histogram = LatencyHistogram::parse(std::string_view(word).substr(second + 1));
      step.latency.merge(histogram);
      merged.all_latency.merge(histogram);
    }
  }
  return merged;
}

ConnectOutcome connect_and_report(Coordinator& coordinator, const char* phase) {
  const auto& options = coordinator.options();
  coordinator.ask_all("reset 1", "ok", 10);
  const PhaseMark before = PhaseMark::take(coordinator);
  ConnectOutcome outcome = coordinator.connect_clients(options.window);
  const PhaseMark after = PhaseMark::take(coordinator);
  JsonLine line = result_line(coordinator, phase);
  line.add("clients", options.clients).add("window", options.window).add("bad_signature", options.bad_signature);
  line.add("connected", outcome.connected).add("refused", outcome.refused).add("failed", outcome.failed);
  const double server_us = add_cpu_fields(line, before, after);
  const std::uint64_t resolved = outcome.connected + outcome.refused;
  line.add("connects_per_s", outcome.wall_s > 0 ? static_cast<double>(resolved) / outcome.wall_s : 0.0);
  line.add("server_cpu_us_per_connect", resolved ? server_us / static_cast<double>(resolved) : 0.0);
  line.raw("latency_ms", latency_summary_ms(outcome.connect_latency));
  if (outcome.refused) line.raw("refusal_latency_ms", latency_summary_ms(outcome.refuse_latency));
  line.add("server_rss_kib", read_server_rss_kib(options.server_pid));
  line.print();
  return outcome;
}

int run_connect_storm(Coordinator& coordinator) {
  const ConnectOutcome outcome = connect_and_report(coordinator, "connect");
  coordinator.ask_all("close", "closed", 30);
  const bool expected = coordinator.options().bad_signature ? outcome.refused == coordinator.options().clients
                                                            : outcome.connected == coordinator.options().clients;
  return expected ? 0 : 3;
}

}  // namespace loadgen
