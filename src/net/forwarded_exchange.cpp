// A forwarded HTTP exchange: the body read on demand, the response written as it comes,
// the connection handed back or closed at the end (see forwarded_exchange.hpp). The
// WebSocket half is in forwarded_websocket.cpp.
// Threading: the public methods post to the shard; everything else runs on it.
#include "forwarded_exchange.hpp"

#include "http_connection.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

namespace sg::net {

namespace http = boost::beast::http;

namespace {
constexpr std::size_t kBodyChunkBytes = 64 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string plain_response(unsigned status, std::string_view body) {
  static const HeaderList kPlainHeaders = {{"content-type", "text/plain; charset=utf-8"}, {"connection", "close"}};
  ResponseFraming framing;
  ResponseHeadInput input{status, &kPlainHeaders, body.size(), false, 11, false, false};
  return *response_head(input, framing) + std::string(body);
}
}  // namespace

ForwardedExchange::ForwardedExchange(Home home, boost::asio::ip::tcp::socket socket, boost::beast::flat_buffer buffer,
                                     std::unique_ptr<StreamingParser> body_parser, RequestFacts facts)
    : Exchange(next_id()),
      home_(home),
      executor_(socket.get_executor()),
      socket_(std::move(socket)),
      buffer_(std::move(buffer)),
      body_parser_(std::move(body_parser)),
      facts_(std::move(facts)),
      body_done_(!body_parser_),
      linger_timer_(executor_) {}

ForwardedExchange::~ForwardedExchange() = default;

std::uint64_t ForwardedExchange::next_id() {
  static std::atomic<std::uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

void ForwardedExchange::start(ExchangeListener& listener, ForwardedRequest request) {
  listener_ = &listener;
  listener.on_request(shared_from_this(), std::move(request));
  watch_for_departure();
}

// ---- Exchange: any thread -----------------------------------------------------------------

void ForwardedExchange::read_body() {
  boost::asio::post(executor_, [self = shared_from_this()] { self->do_read_body(); });
}

bool ForwardedExchange::respond(unsigned status, HeaderList headers, std::string body, bool more_body) {
  const std::size_t counted = body.size();
  const bool ready = budget_.add(counted);
  boost::asio::post(executor_, [self = shared_from_this(), status, headers = std::move(headers), body = std::move(body),
                                more_body, counted]() mutable {
    self->do_respond(status, std::move(headers), std::move(body), more_body, counted);
  });
  return ready;
}

bool ForwardedExchange::send_body(std::string body, bool more_body) {
  const std::size_t counted = body.size();
  const bool ready = budget_.add(counted);
  boost::asio::post(executor_, [self = shared_from_this(), body = std::move(body), more_body, counted]() mutable {
    self->do_send_body(std::move(body), more_body, counted);
  });
  return ready;
}

void ForwardedExchange::abort() {
  boost::asio::post(executor_, [self = shared_from_this()] {
    if (self->phase_ == Phase::finished) return;
    self->gone_ = true;
    self->close_connection();
    self->finish();
  });
}

// ---- the request body -----------------------------------------------------------------------

void ForwardedExchange::do_read_body() {
  if (phase_ != Phase::http || body_done_ || reading_body_ || gone_) return;
  if (facts_.expect_continue && !continue_sent_ && !response_started_) {
    continue_sent_ = true;
    queue(std::string(kContinue), 0);
    write_next();
  }
  reading_body_ = true;
  chunk_.resize(kBodyChunkBytes);
  auto& body = body_parser_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  http::async_read_some(socket_, buffer_, *body_parser_,
                        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
                          self->on_body_read(ec, bytes);
                        });
}

void ForwardedExchange::on_body_read(const boost::system::error_code& read_ec, std::size_t) {
  reading_body_ = false;
  if (phase_ == Phase::finished || gone_) return;
  boost::system::error_code ec = read_ec;
  if (ec == http::error::need_buffer) ec = {};  // the chunk buffer is full: a normal end of this read
  if (ec == http::error::body_limit) return refuse_body(413, "Payload Too Large");
  if (ec) return client_gone();  // an aborted upload, a broken chunked encoding, a reset
  const std::size_t filled = chunk_.size() - body_parser_->get().body().size;
  const bool done = body_parser_->is_done();
  if (filled == 0 && !done) return do_read_body();
  std::string data(chunk_.data(), filled);
  if (done) {
    body_done_ = true;
    body_parser_.reset();
    std::string().swap(chunk_);
  }
  listener_->on_body(id(), std::move(data), !done);
  if (done) watch_for_departure();
}

// The host answers a body it will not take: the status and a closed connection; the
// listener sees the client leave.
void ForwardedExchange::refuse_body(unsigned status, std::string_view message) {
  gone_ = true;
  budget_.release_waiter();
  listener_->on_disconnect(id());
  if (response_started_) {
    close_connection();
    return finish();
  }
  response_started_ = true;
  response_complete_ = true;
  framing_.keep_alive = false;
  queue(plain_response(status, message), 0);
  write_next();
}

// While the listener works and nothing is read, a readable socket with nothing to read means
// the client went away. Pipelined bytes end the watch (the next request is not read yet).
void ForwardedExchange::watch_for_departure() {
  if (watching_ || gone_ || !body_done_ || phase_ != Phase::http) return;
  watching_ = true;
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (ec == boost::asio::error::operation_aborted) return;  // cancelled by the one who reset the flag
                       self->watching_ = false;
                       if (ec || self->phase_ != Phase::http || self->gone_) return;
                       boost::system::error_code available_ec;
                       if (self->socket_.available(available_ec) > 0 && !available_ec) return;
                       self->client_gone();
                     });
}

void ForwardedExchange::stop_watching() {
  if (!watching_) return;
  watching_ = false;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

// ---- the response -------------------------------------------------------------------------

void ForwardedExchange::do_respond(unsigned status, HeaderList headers, std::string body, bool more_body,
                                   std::size_t counted) {
  if (phase_ != Phase::http || response_started_ || gone_) {
    budget_.written(counted);
    return;
  }
  response_started_ = true;
  ResponseHeadInput input{status, &headers, body.size(), more_body, facts_.version, facts_.keep_alive,
                          facts_.head_request};
  auto head = response_head(input, framing_);
  if (!head) {
    log::warn("forwarded response refused: a bad status or header", {{"status", status}});
    budget_.written(counted);
    gone_ = true;
    listener_->on_disconnect(id());
    response_complete_ = true;
    framing_.keep_alive = false;
    queue(plain_response(500, "Internal Server Error"), 0);
    return write_next();
  }
  *head += framed_body_part(framing_, std::move(body), !more_body);
  response_complete_ = !more_body;
  queue(std::move(*head), counted);
  write_next();
}

void ForwardedExchange::do_send_body(std::string body, bool more_body, std::size_t counted) {
  if (phase_ != Phase::http || !response_started_ || response_complete_ || gone_) {
    budget_.written(counted);
    return;
  }
  response_complete_ = !more_body;
  queue(framed_body_part(framing_, std::move(body), !more_body), counted);
  write_next();
}

// ---- writing ------------------------------------------------------------------------------

void ForwardedExchange::queue(std::string bytes, std::size_t counted) {
  out_.push_back(Part{std::move(bytes), counted});
}

void ForwardedExchange::write_next() {
  if (writing_ || phase_ == Phase::finished) return;
  if (out_.empty()) return after_writes();
  in_flight_.swap(out_);
  std::vector<boost::asio::const_buffer> buffers;
  buffers.reserve(in_flight_.size());
  for (const auto& part : in_flight_) {
    if (!part.bytes.empty()) buffers.emplace_back(part.bytes.data(), part.bytes.size());
  }
  writing_ = true;
  boost::asio::async_write(socket_, buffers, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    self->on_written(ec);
  });
}

void ForwardedExchange::on_written(const boost::system::error_code& ec) {
  writing_ = false;
  bool drained = false;
  for (const auto& part : in_flight_) drained = budget_.written(part.counted) || drained;
  in_flight_.clear();
  if (phase_ == Phase::finished) return;
  if (ec) return client_gone();
  if (drained && !gone_) listener_->on_drained(id());
  write_next();
}

void ForwardedExchange::after_writes() {
  if (phase_ == Phase::websocket) return after_websocket_writes();
  if (!response_complete_) return;
  if (refused_) listener_->on_websocket_closed(id(), refusal_code_);
  if (gone_ || refused_ || !framing_.keep_alive || !body_done_) {
    close_connection();
    return finish();
  }
  // The connection serves its next request: a new HttpConnection takes the socket and the
  // bytes read past this request.
  stop_watching();
  auto next = std::make_shared<HttpConnection>(*home_.server, home_.shard, std::move(socket_), home_.remote,
                                               boost::beast::buffers_to_string(buffer_.data()));
  finish();
  next->start();
}

// ---- the end ------------------------------------------------------------------------------

void ForwardedExchange::client_gone() {
  if (phase_ == Phase::finished || gone_) return;
  gone_ = true;
  budget_.release_waiter();
  if (phase_ == Phase::websocket) listener_->on_websocket_closed(id(), 1006);
  else listener_->on_disconnect(id());
  close_connection();
  finish();
}

void ForwardedExchange::close_connection() {
  linger_timer_.cancel();
  watching_ = false;
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void ForwardedExchange::finish() {
  if (phase_ == Phase::finished) return;
  phase_ = Phase::finished;
  out_.clear();
  listener_->on_finished(id());
}

}  // namespace sg::net
