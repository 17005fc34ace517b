// Test harness for the Engine.IO layer: one eio::Engine on an io_context that the test
// drives by hand, a listener that records what the engine tells the application, a fake
// WebSocket peer that records what it is sent, and small helpers to make polling
// requests and read their replies. No sockets and no sleeps: time advances only through
// io_context::run_for inside run_until(), which stops as soon as a condition holds.
//
// Threading: everything runs on the test's thread; the io_context is never run elsewhere.
#pragma once

#include "eio/engine.hpp"
#include "eio/session.hpp"
#include "util/encoded_packet.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::eio::testing {

struct ReceivedMessage {
  std::string data;
  bool binary = false;
};

// Records every SessionListener call, and keeps the sessions alive for the test to use.
class RecordingListener : public SessionListener {
 public:
  void on_open(Session& session) override { opened.push_back(session.shared_from_this()); }
  void on_message(Session& session, std::string_view data, bool binary) override {
    messages.push_back({std::string(data), binary});
  }
  void on_close(Session& session, CloseReason reason) override { closes.push_back(reason); }

  std::vector<std::shared_ptr<Session>> opened;
  std::vector<ReceivedMessage> messages;
  std::vector<CloseReason> closes;
};

// A WebSocket connection as the engine sees it. queued_bytes() grows with every send
// until mark_written() pretends the socket wrote everything out.
class FakeWebSocketPeer : public WebSocketPeer {
 public:
  void send(const PacketRef& packet) override {
    sent.push_back(packet);
    queued_ += packet->payload().size();
  }
  std::size_t queued_bytes() const override { return queued_; }
  void close(bool flush_first) override {
    ++close_calls;
    closed_with_flush = flush_first;
  }

  void mark_written() { queued_ = 0; }
  std::vector<std::string> sent_payloads() const {
    std::vector<std::string> payloads;
    for (const auto& packet : sent) payloads.emplace_back(packet->payload());
    return payloads;
  }

  std::vector<PacketRef> sent;
  int close_calls = 0;
  std::optional<bool> closed_with_flush;

 private:
  std::size_t queued_ = 0;
};

// One HTTP exchange: filled in when the engine responds (possibly later, for a held GET).
struct PollExchange {
  std::optional<HttpReply> reply;
  int responses = 0;
  bool answered() const { return reply.has_value(); }
};

// Options with long timers, so that no ping or timeout fires while a test polls.
inline EngineOptions quiet_options() {
  EngineOptions options;
  options.ping_interval = std::chrono::milliseconds(60'000);
  options.ping_timeout = std::chrono::milliseconds(60'000);
  options.upgrade_timeout = std::chrono::milliseconds(60'000);
  return options;
}

class EngineHarness {
 public:
  explicit EngineHarness(EngineOptions options = quiet_options()) : engine(context, options, listener, 0, 1) {}

  // Runs every handler that is ready now (including those they post), without waiting.
  void drain() {
    context.restart();
    while (context.poll() > 0) context.restart();
  }

  // Lets time pass in small steps until `done()` holds or `limit` has elapsed; returns
  // whether `done()` held. The limit only bounds a failing test; passing tests stop early.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      context.restart();
      context.run_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // Sends one polling request; the returned exchange fills in when the engine answers.
  std::shared_ptr<PollExchange> request(std::string_view method, std::string_view query, std::string body = {},
                                        std::string_view content_type = "text/plain;charset=UTF-8") {
    auto exchange = std::make_shared<PollExchange>();
    HandshakeInfo handshake;
    handshake.query = std::string(query);
    engine.handle_polling(method, query, content_type, std::move(body), std::move(handshake),
                          [exchange](HttpReply reply) {
                            exchange->reply = std::move(reply);
                            ++exchange->responses;
                          });
    return exchange;
  }

  // A polling handshake that must succeed; returns the new sid.
  std::string handshake() {
    auto exchange = request("GET", "EIO=4&transport=polling");
    if (!exchange->answered() || exchange->reply->status != 200 || exchange->reply->body.size() < 2) return {};
    const auto open = boost::json::parse(std::string_view(exchange->reply->body).substr(1)).as_object();
    return std::string(open.at("sid").as_string());
  }

  std::shared_ptr<PollExchange> get(const std::string& sid) { return request("GET", polling_query(sid)); }
  std::shared_ptr<PollExchange> post(const std::string& sid, std::string body,
                                     std::string_view content_type = "text/plain;charset=UTF-8") {
    return request("POST", polling_query(sid), std::move(body), content_type);
  }

  static std::string polling_query(const std::string& sid) { return "EIO=4&transport=polling&sid=" + sid; }
  static std::string websocket_query(const std::string& sid) { return "EIO=4&transport=websocket&sid=" + sid; }

  Session& last_session() { return *listener.opened.back(); }

  boost::asio::io_context context;
  RecordingListener listener;
  Engine engine;
};

// The JSON object of an open packet ("0{...}").
inline boost::json::object open_packet_object(std::string_view packet) {
  return boost::json::parse(packet.substr(1)).as_object();
}

}  // namespace sg::eio::testing
