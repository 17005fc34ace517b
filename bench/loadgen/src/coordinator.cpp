// The parent's plumbing (see coordinator.hpp).
#include "coordinator.hpp"

#include "process_probe.hpp"
#include "receive_tally.hpp"

#include <charconv>
#include <sstream>

namespace loadgen {

namespace {

Words split_words(std::string_view line) {
  Words words;
  std::istringstream stream{std::string(line)};
  std::string word;
  while (stream >> word) words.push_back(std::move(word));
  return words;
}

std::uint64_t deadline_after(double seconds) { return monotonic_ns() + static_cast<std::uint64_t>(seconds * 1e9); }

}  // namespace

Coordinator::Coordinator(const Options& options, std::vector<int> control_fds, std::vector<std::uint32_t> slice_sizes,
                         const sockaddr_in& server, std::string host_header, std::string admin_token)
    : options_(options),
      slice_sizes_(std::move(slice_sizes)),
      inbox_(control_fds.size()),
      worker_cpu_(control_fds.size()),
      server_(server),
      admin_server_(server),
      host_header_(std::move(host_header)),
      admin_token_(std::move(admin_token)),
      pad_(options.payload_bytes, 'x') {
  for (std::size_t i = 0; i < control_fds.size(); ++i) {
    channels_.push_back(std::make_unique<ControlChannel>(loop_, control_fds[i],
                                                         [this, i](std::string_view line) { on_line(i, line); }));
  }
  if (options.admin_port > 0) admin_server_.sin_port = htons(static_cast<std::uint16_t>(options.admin_port));
  admin_.configure(&loop_, this, &admin_server_, &host_header_, &admin_token_, UINT32_MAX);
}

void Coordinator::on_line(std::size_t worker, std::string_view line) {
  Words words = split_words(line);
  if (words.size() >= 2) worker_cpu_[worker] = std::stoull(words[1]);
  inbox_[worker].push_back(std::move(words));
}

void Coordinator::send_all(const std::string& line) {
  for (auto& channel : channels_) channel->send_line(line);
}

std::vector<Words> Coordinator::ask_all(const std::string& line, const std::string& verb, double timeout_s,
                                        const Accept& accept) {
  return ask_each(std::vector<std::string>(channels_.size(), line), verb, timeout_s, accept);
}

std::vector<Words> Coordinator::ask_each(const std::vector<std::string>& lines, const std::string& verb,
                                         double timeout_s, const Accept& accept) {
  for (std::size_t i = 0; i < channels_.size(); ++i) channels_[i]->send_line(lines[i]);
  std::vector<Words> replies(channels_.size());
  std::vector<bool> have(channels_.size(), false);
  auto collect = [&] {
    bool all = true;
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      while (!have[i] && !inbox_[i].empty()) {
        Words words = std::move(inbox_[i].front());
        inbox_[i].pop_front();
        if (!words.empty() && words[0] == verb && (!accept || accept(i, words))) {
          replies[i] = std::move(words);
          have[i] = true;
        }
      }
      if (!have[i]) {
        if (channels_[i]->closed()) return true;  // a dead worker: give up
        all = false;
      }
    }
    return all;
  };
  loop_.run_until(collect, deadline_after(timeout_s));
  for (bool got : have) {
    if (!got) return {};
  }
  return replies;
}

std::uint64_t Coordinator::workers_cpu_us() const {
  std::uint64_t total = 0;
  for (auto cpu : worker_cpu_) total += cpu;
  return total;
}

std::uint64_t Coordinator::loadgen_cpu_us() const { return workers_cpu_us() + own_cpu_us(); }

ConnectOutcome Coordinator::connect_clients(std::uint32_t window) {
  ConnectOutcome outcome;
  const std::uint32_t per_worker = std::max<std::uint32_t>(1, window / static_cast<std::uint32_t>(workers()));
  const auto timeout_ms = static_cast<std::uint64_t>(options_.connect_timeout_s * 1000);
  const std::uint64_t start = monotonic_ns();
  const auto replies = ask_all("connect " + std::to_string(per_worker) + " " + std::to_string(timeout_ms), "connected",
                               options_.connect_timeout_s + 10);
  outcome.wall_s = static_cast<double>(monotonic_ns() - start) / 1e9;
  for (const auto& words : replies) {
    if (words.size() < 7) continue;
    outcome.connected += std::stoull(words[2]);
    outcome.connected_per_worker.push_back(std::stoull(words[2]));
    outcome.refused += std::stoull(words[3]);
    outcome.failed += std::stoull(words[4]);
    outcome.connect_latency.merge(LatencyHistogram::parse(words[5]));
    outcome.refuse_latency.merge(LatencyHistogram::parse(words[6]));
  }
  return outcome;
}

bool Coordinator::connect_admin() {
  admin_.start();
  loop_.run_until([this] { return admin_ready_ || admin_failed_; }, deadline_after(10));
  return admin_ready_;
}

std::uint64_t Coordinator::bench_emit(const std::string& argument_json) {
  const std::uint64_t id = next_ack_id_++;
  admin_.send_socket_packet("2" + std::to_string(id) + "[\"bench:emit\"," + argument_json + "]");
  return id;
}

void Coordinator::on_ack(BenchClient&, std::uint64_t, std::string_view array) {
  ++acks_;
  const auto key = array.find("\"issued\":");
  if (key == std::string_view::npos) return;
  std::uint64_t issued = 0;
  const char* first = array.data() + key + 9;
  std::from_chars(first, array.data() + array.size(), issued);
  issued_ += issued;
}

bool Coordinator::await_acks(std::uint64_t count, double timeout_s) {
  return loop_.run_until([&] { return acks_ >= count; }, deadline_after(timeout_s));
}

std::uint64_t Coordinator::next_seq(std::uint64_t step) {
  last_seq_ = std::max(last_seq_ + 1, step * kStepStride + 1);
  return last_seq_;
}

std::string Coordinator::stamped_payload(std::uint64_t seq, std::uint64_t& t_ns) const {
  t_ns = monotonic_ns();
  std::string head = "{\"t\":" + std::to_string(t_ns) + ",\"seq\":" + std::to_string(seq) + ",\"pad\":\"";
  const std::size_t used = head.size() + 2;
  head.append(pad_, 0, options_.payload_bytes > used ? options_.payload_bytes - used : 0);
  head += "\"}";
  return head;
}

}  // namespace loadgen
