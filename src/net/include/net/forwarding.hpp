// Forwarding: how the host hands a request it does not serve itself to someone else, and
// how that someone answers — as a stream, not as one Reply.
//
// When HttpServerOptions::forwarder is set, every request outside the Engine.IO mounts (and
// every WebSocket upgrade outside them) becomes an Exchange. The host tells the
// ExchangeListener what happens on the wire (the request head, body chunks the listener
// asked for, the client going away, its write buffer draining, WebSocket messages and the
// close); the listener drives the answer through the Exchange (the response head and body
// in parts, or accepting the WebSocket and sending messages). The host adds the HTTP/1.1
// framing (content-length or chunked, date), answers Expect: 100-continue when the body is
// first read, keeps the connection alive when it can, and refuses oversized heads (431) and
// bodies (413) itself. net/ knows nothing of who listens (the Python ASGI bridge, a test).
//
// Threading: ExchangeListener is called on the exchange's shard thread, and must not block.
// Exchange methods may be called from any thread; they post to the shard and return. The
// bool they return is "ready": false once the bytes given and not yet written exceed the
// high-water mark, and then on_drained() follows when they fall to the low-water mark (or
// on_disconnect() / on_websocket_closed() when the client goes away first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sg::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Unsent bytes above which a send reports "not ready", and below which on_drained() comes.
inline constexpr std::size_t kForwardHighWater = 64 * 1024;
inline constexpr std::size_t kForwardLowWater = 16 * 1024;

// The head of one forwarded request (and the body already read, if any).
struct ForwardedRequest {
  std::string method;
  std::string path;          // raw (still percent-encoded), before '?'
  std::string query;         // raw, after '?' ("" without one)
  unsigned version = 11;     // 10 or 11
  HeaderList headers;        // in arrival order, names lower-cased
  std::string client_address;
  std::uint16_t client_port = 0;
  std::string server_address;
  std::uint16_t server_port = 0;
  std::string body;          // the body read so far
  bool more_body = false;    // more body follows, read on demand (Exchange::read_body)
  bool websocket = false;    // a WebSocket upgrade: answer with accept_websocket or close_websocket
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  std::uint64_t id() const { return id_; }

  // ---- HTTP ---------------------------------------------------------------------------
  // Reads the next part of the body (ExchangeListener::on_body answers).
  virtual void read_body() = 0;
  // The response head and its first body part; more_body: further parts follow.
  virtual bool respond(unsigned status, HeaderList headers, std::string body, bool more_body) = 0;
  virtual bool send_body(std::string body, bool more_body) = 0;
  // Cuts the connection (after a partial response, or when giving up).
  virtual void abort() = 0;

  // ---- WebSocket ----------------------------------------------------------------------
  // Writes the 101 (with the chosen subprotocol and extra headers) and starts reading frames.
  virtual void accept_websocket(std::optional<std::string> subprotocol, HeaderList headers) = 0;
  virtual bool send_message(std::string data, bool binary) = 0;
  // Before the accept: refuses the upgrade with HTTP 403. After: a close frame.
  virtual void close_websocket(std::uint16_t code, std::string reason) = 0;

 protected:
  explicit Exchange(std::uint64_t id) : id_(id) {}

 private:
  std::uint64_t id_;
};

class ExchangeListener {
 public:
  virtual ~ExchangeListener() = default;
  virtual void on_request(std::shared_ptr<Exchange> exchange, ForwardedRequest request) = 0;
  virtual void on_body(std::uint64_t exchange_id, std::string chunk, bool more_body) = 0;
  // The client went away (or its body broke off) before the exchange ended.
  virtual void on_disconnect(std::uint64_t exchange_id) = 0;
  virtual void on_drained(std::uint64_t exchange_id) = 0;
  virtual void on_websocket_message(std::uint64_t exchange_id, std::string data, bool binary) = 0;
  // 1005: closed without a code; 1006: the connection was lost.
  virtual void on_websocket_closed(std::uint64_t exchange_id, std::uint16_t code) = 0;
  // The exchange is over on the wire (response written, connection closed or handed back);
  // nothing more is reported for it.
  virtual void on_finished(std::uint64_t exchange_id) = 0;
};

}  // namespace sg::net
