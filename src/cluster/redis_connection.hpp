// RedisConnection: one TCP connection to Redis speaking RESP, on an Asio io_context.
// hiredis does the protocol work (redisFormatCommandArgv encodes commands, its reader parses
// replies); Asio does the I/O, so the connection lives on the cluster thread's event loop
// instead of hiredis' own.
//
// Two uses: a command connection, where every command gets its reply handler in order, and a
// subscriber connection, where replies nobody waits for (subscription confirmations and
// published messages) go to the push handler. Commands are written in batches (everything
// queued before the event loop gets to the write goes out in one write); the output
// buffer is bounded, so a stalled Redis makes command() refuse instead of growing memory.
//
// Threading: the io_context's thread only (the cluster thread), including every handler.
#pragma once

#include "redis_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <hiredis/hiredis.h>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace sg::cluster {

// The text of a string or status reply; "" for any other kind.
inline std::string_view reply_text(const redisReply& reply) {
  return reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS ? std::string_view(reply.str, reply.len)
                                                                                : std::string_view();
}

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  // The reply, or nullptr when the connection was lost before it came.
  using ReplyHandler = std::function<void(const redisReply* reply)>;
  using PushHandler = std::function<void(const redisReply& reply)>;
  using LostHandler = std::function<void(std::string_view why)>;

  // Output buffered beyond this makes command() refuse.
  static constexpr std::size_t kMaxBufferedOutput = 16u << 20;

  RedisConnection(boost::asio::io_context& io, RedisEndpoint endpoint, PushHandler on_push, LostHandler on_lost);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects, authenticates and selects the database; `done(true)` once ready. On failure
  // `done(false)` runs and the lost handler does not.
  void connect(std::chrono::milliseconds timeout, std::function<void(bool ready, std::string_view why)> done);

  // Queues one command. False (and the handler is not kept) when not connected or the
  // output buffer is full.
  bool command(std::span<const std::string_view> arguments, ReplyHandler on_reply = {});

  bool ready() const { return ready_; }
  // Runs after the replies of each read were handled (lets the owner act on them together).
  void on_batch_end(std::function<void()> handler) { on_batch_end_ = std::move(handler); }
  // Closes without calling the lost handler; waiting handlers get nullptr.
  void close();

 private:
  void authenticate(std::function<void(bool, std::string_view)> done);
  void start_reading();
  void schedule_flush();
  void flush();
  void dispatch(redisReply* reply);
  void lose(std::string_view why);
  void fail_waiting();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  RedisEndpoint endpoint_;
  PushHandler on_push_;
  LostHandler on_lost_;
  std::function<void()> on_batch_end_;
  redisReader* reader_;
  std::array<char, 16384> read_buffer_{};
  std::string output_;   // queued, not yet handed to a write
  std::string writing_;  // handed to the write in flight
  bool write_in_flight_ = false;
  bool flush_scheduled_ = false;
  bool open_ = false;    // TCP connected and not lost/closed
  bool ready_ = false;   // and authenticated
  std::deque<ReplyHandler> waiting_;
};

}  // namespace sg::cluster
