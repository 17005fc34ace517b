// One RESP connection on Asio with hiredis' encoder and reader (see redis_connection.hpp).
// Threading: the cluster thread only.
#include "redis_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <vector>

namespace sg::cluster {

RedisConnection::RedisConnection(boost::asio::io_context& io, RedisEndpoint endpoint, PushHandler on_push,
                                 LostHandler on_lost)
    : socket_(io),
      resolver_(io),
      connect_timer_(io),
      endpoint_(std::move(endpoint)),
      on_push_(std::move(on_push)),
      on_lost_(std::move(on_lost)),
      reader_(redisReaderCreate()) {}

RedisConnection::~RedisConnection() { redisReaderFree(reader_); }

void RedisConnection::connect(std::chrono::milliseconds timeout,
                              std::function<void(bool, std::string_view)> done) {
  auto self = shared_from_this();
  auto finished = std::make_shared<bool>(false);
  auto finish = [this, self, finished, done = std::move(done)](bool ok, std::string_view why) {
    if (*finished) return;
    *finished = true;
    connect_timer_.cancel();
    if (!ok) {
      open_ = false;
      boost::system::error_code ignored;
      socket_.close(ignored);
      fail_waiting();
    }
    done(ok, why);
  };
  connect_timer_.expires_after(timeout);
  connect_timer_.async_wait([this, self, finish](const boost::system::error_code& ec) {
    if (ec) return;
    resolver_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    finish(false, "connect timed out");
  });
  resolver_.async_resolve(
      endpoint_.host, std::to_string(endpoint_.port),
      [this, self, finish](const boost::system::error_code& ec, boost::asio::ip::tcp::resolver::results_type results) {
        if (ec) return finish(false, ec.message());
        boost::asio::async_connect(socket_, results, [this, self, finish](const boost::system::error_code& ec,
                                                                          const boost::asio::ip::tcp::endpoint&) {
          if (ec) return finish(false, ec.message());
          boost::system::error_code ignored;
          socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
          open_ = true;
          start_reading();
          authenticate(finish);
        });
      });
}

void RedisConnection::authenticate(std::function<void(bool, std::string_view)> done) {
  auto shared_done = std::make_shared<std::function<void(bool, std::string_view)>>(std::move(done));
  auto check = [this, shared_done](const redisReply* reply, bool last) {
    if (reply == nullptr) return (*shared_done)(false, "connection lost during login");
    if (reply->type == REDIS_REPLY_ERROR) return (*shared_done)(false, std::string_view(reply->str, reply->len));
    if (last) {
      ready_ = true;
      (*shared_done)(true, {});
    }
  };
  const bool select = endpoint_.database != 0;
  if (!endpoint_.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!endpoint_.user.empty()) auth.push_back(endpoint_.user);
    auth.push_back(endpoint_.password);
    command(auth, [check, select](const redisReply* reply) { check(reply, !select); });
  }
  const std::string database = std::to_string(endpoint_.database);
  if (select) {
    const std::string_view arguments[] = {"SELECT", database};
    command(arguments, [check](const redisReply* reply) { check(reply, true); });
  }
  if (endpoint_.password.empty() && !select) {
    const std::string_view arguments[] = {"PING"};
    command(arguments, [check](const redisReply* reply) { check(reply, true); });
  }
}

bool RedisConnection::command(std::span<const std::string_view> arguments, ReplyHandler on_reply) {
  if (!open_ || output_.size() > kMaxBufferedOutput) return false;
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  pointers.reserve(arguments.size());
  lengths.reserve(arguments.size());
  for (const auto& argument : arguments) {
    pointers.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  char* encoded = nullptr;
  const int length = redisFormatCommandArgv(&encoded, int(arguments.size()), pointers.data(), lengths.data());
  if (length < 0) return false;
  output_.append(encoded, std::size_t(length));
  redisFreeCommand(encoded);
  if (on_reply || !on_push_) waiting_.push_back(std::move(on_reply));
  schedule_flush();
  return true;
}

// Commands queued by the handlers that run before this post (a burst of publishes) leave
// in one write, so Redis reads them together and forwards them to subscribers together.
void RedisConnection::schedule_flush() {
  if (flush_scheduled_ || write_in_flight_) return;
  flush_scheduled_ = true;
  boost::asio::post(socket_.get_executor(), [this, self = shared_from_this()] {
    flush_scheduled_ = false;
    flush();
  });
}

void RedisConnection::flush() {
  if (write_in_flight_ || output_.empty() || !open_) return;
  writing_.swap(output_);
  output_.clear();
  write_in_flight_ = true;
  boost::asio::async_write(socket_, boost::asio::buffer(writing_),
                           [this, self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                             write_in_flight_ = false;
                             writing_.clear();
                             if (ec) return lose(ec.message());
                             flush();
                           });
}

void RedisConnection::start_reading() {
  socket_.async_read_some(boost::asio::buffer(read_buffer_), [this, self = shared_from_this()](
                                                                 const boost::system::error_code& ec, std::size_t n) {
    if (ec) return lose(ec == boost::asio::error::eof ? "closed by Redis" : ec.message());
    if (redisReaderFeed(reader_, read_buffer_.data(), n) != REDIS_OK) return lose("unreadable reply");
    for (;;) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader_, &reply) != REDIS_OK) return lose(reader_->errstr);
      if (reply == nullptr) break;
      dispatch(static_cast<redisReply*>(reply));
      freeReplyObject(reply);
      if (!open_) return;
    }
    if (on_batch_end_) on_batch_end_();
    if (!open_) return;
    start_reading();
  });
}

void RedisConnection::dispatch(redisReply* reply) {
  if (!waiting_.empty()) {
    ReplyHandler handler = std::move(waiting_.front());
    waiting_.pop_front();
    if (handler) handler(reply);
    return;
  }
  if (on_push_) on_push_(*reply);
}

void RedisConnection::lose(std::string_view why) {
  if (!open_) return;
  open_ = false;
  ready_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  fail_waiting();
  if (on_lost_) on_lost_(why);
}

void RedisConnection::close() {
  open_ = false;
  ready_ = false;
  connect_timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  fail_waiting();
}

void RedisConnection::fail_waiting() {
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& handler : waiting) {
    if (handler) handler(nullptr);
  }
}

}  // namespace sg::cluster
