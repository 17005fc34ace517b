// The worker process (see worker.hpp).
#include "worker.hpp"

#include "bench_client.hpp"
#include "control_channel.hpp"
#include "latency_histogram.hpp"
#include "process_probe.hpp"
#include "receive_tally.hpp"

#include <charconv>
#include <memory>
#include <sstream>

namespace loadgen {

namespace {

class Worker final : public ClientObserver {
 public:
  Worker(const WorkerPlan& plan, int control_fd)
      : plan_(plan),
        clients_(plan.end - plan.begin),
        control_(loop_, control_fd, [this](std::string_view line) { on_command(line); }) {
    for (std::uint32_t i = 0; i < clients_.size(); ++i) {
      const std::uint32_t global = plan.begin + i;
      clients_[i].configure(&loop_, this, &plan_.server, &plan_.host_header, &(*plan.tokens)[global], global);
    }
  }

  int run() {
    while (!quit_ && !control_.closed()) {
      loop_.run_until([this] { return quit_ || control_.closed(); }, monotonic_ns() + 100'000'000ull);
      if (connecting_ && monotonic_ns() > connect_deadline_ns_) expire_connects();
    }
    for (auto& client : clients_) client.close_connection();
    return 0;
  }

  void on_connected(BenchClient& client, std::uint64_t now) override {
    connect_latency_.record(now - client.started_ns());
    ++connected_;
    connect_resolved();
  }
  void on_refused(BenchClient& client, std::uint64_t now) override {
    refuse_latency_.record(now - client.started_ns());
    ++refused_;
    connect_resolved();
  }
  void on_failed(BenchClient&, const char*) override {
    ++failed_;
    connect_resolved();
  }
  void on_lost(BenchClient&) override { ++lost_; }
  void on_event(BenchClient& client, std::string_view array, std::uint64_t now) override {
    tally_.record(client, array, now);
    if (notify_target_ && tally_.received() >= notify_target_) send_reached();
  }
  void on_ack(BenchClient&, std::uint64_t, std::string_view) override {}

 private:
  std::string cpu() const { return std::to_string(own_cpu_us()); }

  void on_command(std::string_view line) {
    std::istringstream words{std::string(line)};
    std::string verb;
    words >> verb;
    if (verb == "connect") {
      std::uint64_t timeout_ms = 0;
      words >> window_ >> timeout_ms;
      connect_deadline_ns_ = monotonic_ns() + timeout_ms * 1'000'000ull;
      connecting_ = true;
      start_more();
      if (next_ == clients_.size() && in_flight_ == 0) finish_connect();
    } else if (verb == "reset") {
      std::uint32_t repeat = 1;
      words >> repeat;
      tally_.reset(repeat);
      notify_target_ = 0;
      control_.send_line("ok " + cpu());
    } else if (verb == "notify") {
      words >> notify_target_;
      if (tally_.received() >= notify_target_) send_reached();
    } else if (verb == "report") {
      std::uint64_t alive = 0;
      std::uint64_t pings = 0;
      for (const auto& client : clients_) {
        alive += client.state() == BenchClient::State::connected && client.is_open();
        pings += client.pings();
      }
      control_.send_line("report " + cpu() + " " + std::to_string(alive) + " " + std::to_string(lost_) + " " +
                         std::to_string(pings) + " " + tally_.serialize());
    } else if (verb == "close") {
      for (auto& client : clients_) client.close_connection();
      control_.send_line("closed " + cpu());
    } else if (verb == "quit") {
      quit_ = true;
    }
  }

  void send_reached() {
    control_.send_line("reached " + cpu() + " " + std::to_string(notify_target_) + " " +
                       std::to_string(tally_.last_receive_ns()));
    notify_target_ = 0;
  }

  void start_more() {
    while (connecting_ && in_flight_ < window_ && next_ < clients_.size()) {
      ++in_flight_;
      clients_[next_++].start();  // may resolve at once (a failed socket()), re-entering connect_resolved
    }
  }

  void connect_resolved() {
    if (!connecting_) return;
    --in_flight_;
    start_more();
    if (next_ == clients_.size() && in_flight_ == 0) finish_connect();
  }

  void expire_connects() {
    for (std::size_t i = 0; i < next_; ++i) {
      auto state = clients_[i].state();
      if (state != BenchClient::State::connected && state != BenchClient::State::refused &&
          state != BenchClient::State::failed) {
        clients_[i].close_connection();
        ++failed_;
      }
    }
    failed_ += clients_.size() - next_;
    next_ = clients_.size();
    in_flight_ = 0;
    finish_connect();
  }

  void finish_connect() {
    if (!connecting_) return;
    connecting_ = false;
    control_.send_line("connected " + cpu() + " " + std::to_string(connected_) + " " + std::to_string(refused_) + " " +
                       std::to_string(failed_) + " " + connect_latency_.serialize() + " " +
                       refuse_latency_.serialize());
  }

  const WorkerPlan& plan_;
  EventLoop loop_;
  std::vector<BenchClient> clients_;
  ControlChannel control_;
  ReceiveTally tally_;
  LatencyHistogram connect_latency_;
  LatencyHistogram refuse_latency_;
  std::uint64_t connect_deadline_ns_ = 0;
  std::uint64_t notify_target_ = 0;
  std::uint64_t connected_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t lost_ = 0;
  std::size_t next_ = 0;
  std::uint32_t in_flight_ = 0;
  std::uint32_t window_ = 1;
  bool connecting_ = false;
  bool quit_ = false;
};

}  // namespace

int run_worker(const WorkerPlan& plan, int control_fd) {
  auto worker = std::make_unique<Worker>(plan, control_fd);
  return worker->run();
}

}  // namespace loadgen
