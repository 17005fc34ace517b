// The parent process: talks to the worker processes over their control sockets, holds the admin
// connection that asks the server for emits (`bench:emit` with ack), samples the server's CPU and
// memory, and gives the scenarios small blocking helpers built on its event loop.
// Threading: the parent's only thread.
#pragma once

#include "bench_client.hpp"
#include "control_channel.hpp"
#include "event_loop.hpp"
#include "latency_histogram.hpp"
#include "options.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loadgen {

using Words = std::vector<std::string>;

struct ConnectOutcome {
  std::uint64_t connected = 0, refused = 0, failed = 0;
  std::vector<std::uint64_t> connected_per_worker;
  LatencyHistogram connect_latency, refuse_latency;
  double wall_s = 0;
};

class Coordinator final : public ClientObserver {
 public:
  Coordinator(const Options& options, std::vector<int> control_fds, std::vector<std::uint32_t> slice_sizes,
              const sockaddr_in& server, std::string host_header, std::string admin_token);

  const Options& options() const { return options_; }
  EventLoop& loop() { return loop_; }
  std::size_t workers() const { return channels_.size(); }
  std::uint32_t slice_size(std::size_t worker) const { return slice_sizes_[worker]; }

  // Sends `line` to every worker, then waits for one reply starting with `verb` from each
  // (replies whose words fail `accept` are dropped). Empty result: timeout or a worker died.
  using Accept = std::function<bool(std::size_t worker, const Words&)>;
  std::vector<Words> ask_all(const std::string& line, const std::string& verb, double timeout_s, const Accept& accept = {});
  std::vector<Words> ask_each(const std::vector<std::string>& lines, const std::string& verb, double timeout_s,
                              const Accept& accept = {});
  void send_all(const std::string& line);
  std::uint64_t workers_cpu_us() const;  // sum of the latest CPU readings the workers reported
  std::uint64_t loadgen_cpu_us() const;  // workers + this process

  ConnectOutcome connect_clients(std::uint32_t window);
  bool connect_admin();
  // Sends `2<id>["bench:emit",<argument>]` on the admin connection; returns the ack id.
  std::uint64_t bench_emit(const std::string& argument_json);
  std::uint64_t acks() const { return acks_; }
  std::uint64_t issued() const { return issued_; }
  bool await_acks(std::uint64_t count, double timeout_s);

  // A fresh sequence number in `step` (seq / kStepStride == step); numbers only grow.
  std::uint64_t next_seq(std::uint64_t step);
  // {"t":<now>,"seq":<seq>,"pad":"xxx"} padded to options().payload_bytes; `t_ns` gets <now>.
  std::string stamped_payload(std::uint64_t seq, std::uint64_t& t_ns) const;

  void on_connected(BenchClient&, std::uint64_t) override { admin_ready_ = true; }
  void on_refused(BenchClient&, std::uint64_t) override { admin_failed_ = true; }
  void on_failed(BenchClient&, const char*) override { admin_failed_ = true; }
  void on_lost(BenchClient&) override { admin_failed_ = true; }
  void on_event(BenchClient&, std::string_view, std::uint64_t) override {}  // broadcasts reach the admin too
  void on_ack(BenchClient&, std::uint64_t id, std::string_view array) override;

 private:
  void on_line(std::size_t worker, std::string_view line);

  const Options& options_;
  EventLoop loop_;
  std::vector<std::uint32_t> slice_sizes_;
  std::vector<std::unique_ptr<ControlChannel>> channels_;
  std::vector<std::deque<Words>> inbox_;
  std::vector<std::uint64_t> worker_cpu_;
  sockaddr_in server_;
  sockaddr_in admin_server_;  // server_, or the node --admin-port names
  std::string host_header_;
  std::string admin_token_;
  BenchClient admin_;
  bool admin_ready_ = false;
  bool admin_failed_ = false;
  std::uint64_t next_ack_id_ = 1;
  std::uint64_t acks_ = 0;
  std::uint64_t issued_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string pad_;
};

}  // namespace loadgen
