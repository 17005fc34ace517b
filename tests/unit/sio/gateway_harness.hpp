// Test harness for the Socket.IO layer: a Gateway over a one-shard ShardPool that is never
// started. The test thread plays the shard thread: it calls the shard's Engine directly
// and runs the shard's io_context with drain(), which executes everything posted to it
// (emits, room changes, lookups) and returns once nothing is ready. No sockets, no sleeps,
// and no blocking lookups (they would wait for a shard thread that does not exist).
//
// PollingClient is one Engine.IO client over long-polling: send() POSTs Engine.IO packets,
// receive() returns the records of the next GET, keeping at most one GET in flight;
// connect() reads the CONNECT reply and leaves any records after it for receive().
//
// Threading: the test's thread only.
#pragma once

#include "eio/shard_pool.hpp"
#include "sio/gateway.hpp"
#include "sio/socket.hpp"

#include <boost/json/parse.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sg::sio::testing {

// Engine.IO settings with timers far in the future, so nothing fires during a test.
inline GatewayOptions quiet_options() {
  GatewayOptions options;
  options.engine.ping_interval = std::chrono::milliseconds(60'000);
  options.engine.ping_timeout = std::chrono::milliseconds(60'000);
  options.connect_timeout = std::chrono::milliseconds(60'000);
  return options;
}

class GatewayHarness {
 public:
  explicit GatewayHarness(GatewayOptions options = quiet_options()) : shards(1), gateway(shards, std::move(options)) {}

  void drain() {
    auto& context = shards.context(0);
    context.restart();
    while (context.poll() > 0) context.restart();
  }

  // Lets time pass in small steps until `done()` holds or `limit` has elapsed; returns
  // whether `done()` held. The limit only bounds a failing test.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto& context = shards.context(0);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      context.restart();
      context.run_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // Blocking-free lookups: post, drain, return what the callback got.
  std::optional<std::vector<std::string>> rooms_of(std::string_view sid) {
    std::optional<std::optional<std::vector<std::string>>> answer;
    gateway.rooms_of(sid, [&answer](std::optional<std::vector<std::string>> rooms) { answer = std::move(rooms); });
    drain();
    return answer.value_or(std::nullopt);
  }
  std::vector<std::string> sids_of_user(std::string_view user_id) {
    std::vector<std::string> answer;
    gateway.sids_of_user(user_id, [&answer](std::vector<std::string> sids) { answer = std::move(sids); });
    drain();
    return answer;
  }
  bool join_room(std::string_view sid, std::string_view room) {
    bool found = false;
    gateway.join_room(sid, room, [&found](bool was_found) { found = was_found; });
    drain();
    return found;
  }
  bool leave_room(std::string_view sid, std::string_view room) {
    bool found = false;
    gateway.leave_room(sid, room, [&found](bool was_found) { found = was_found; });
    drain();
    return found;
  }
  bool disconnect(std::string_view sid) {
    bool found = false;
    gateway.disconnect(sid, [&found](bool was_found) { found = was_found; });
    drain();
    return found;
  }

  eio::Engine& engine() { return gateway.engine(0); }

  eio::ShardPool shards;
  Gateway gateway;
};

class PollingClient {
 public:
  explicit PollingClient(GatewayHarness& harness, std::string authorization = {}) : harness_(harness) {
    eio::HandshakeInfo handshake;
    handshake.authorization = std::move(authorization);
    handshake.query = "EIO=4&transport=polling";
    std::optional<eio::HttpReply> reply;
    harness_.engine().handle_polling("GET", handshake.query, "", "", handshake,
                                     [&reply](eio::HttpReply r) { reply = std::move(r); });
    if (reply && reply->status == 200 && reply->body.size() > 1)
      engine_sid = std::string(boost::json::parse(std::string_view(reply->body).substr(1)).at("sid").as_string());
    harness_.drain();
  }

  // POSTs a body of Engine.IO records (for example "40" or "42[\"hi\"]") and runs the
  // shard; returns the HTTP status.
  unsigned send(std::string body) {
    std::optional<eio::HttpReply> reply;
    harness_.engine().handle_polling("POST", query(), "text/plain;charset=UTF-8", std::move(body), {},
                                     [&reply](eio::HttpReply r) { reply = std::move(r); });
    harness_.drain();
    return reply ? reply->status : 0;
  }

  // Runs the shard and returns the records of one GET response, or nothing when no packet
  // is waiting (the GET then stays pending for the next call).
  std::vector<std::string> receive() {
    if (!left_over_.empty()) return std::exchange(left_over_, {});
    if (!pending_) {
      pending_ = std::make_shared<std::optional<eio::HttpReply>>();
      harness_.engine().handle_polling("GET", query(), "", "", {},
                                       [slot = pending_](eio::HttpReply r) { *slot = std::move(r); });
    }
    harness_.drain();
    if (!pending_->has_value()) return {};
    const eio::HttpReply reply = std::move(**pending_);
    pending_.reset();
    last_status = reply.status;
    std::vector<std::string> records;
    std::string_view body = reply.body;
    while (!body.empty()) {
      const auto separator = body.find('\x1e');
      records.emplace_back(body.substr(0, separator));
      if (separator == std::string_view::npos) break;
      body.remove_prefix(separator + 1);
    }
    return records;
  }

  // Sends CONNECT for `nsp` (with an optional auth object) and returns the Socket.IO sid
  // from the reply, or "" when the reply was not a successful CONNECT.
  std::string connect(std::string_view nsp = "/", std::string_view auth_json = "") {
    std::string packet = "40";
    if (nsp != "/") packet += std::string(nsp) + ",";
    packet += auth_json;
    send(packet);
    auto records = receive();
    last_connect_reply = records.empty() ? "" : records.front();
    if (!records.empty()) left_over_.assign(records.begin() + 1, records.end());  // for receive()
    std::string prefix = "40";
    if (nsp != "/") prefix += std::string(nsp) + ",";
    if (!last_connect_reply.starts_with(prefix)) return {};
    const auto reply = boost::json::parse(std::string_view(last_connect_reply).substr(prefix.size()));
    return std::string(reply.at("sid").as_string());
  }

  std::string query() const { return "EIO=4&transport=polling&sid=" + engine_sid; }

  std::string engine_sid;
  std::string last_connect_reply;
  unsigned last_status = 0;

 private:
  GatewayHarness& harness_;
  std::shared_ptr<std::optional<eio::HttpReply>> pending_;
  std::vector<std::string> left_over_;  // records after the CONNECT reply in its response
};

}  // namespace sg::sio::testing
