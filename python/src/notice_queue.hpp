// NoticeQueue: everything the C++ core has to tell the Python side, and the one way it
// reaches the asyncio loop.
//
// Shard threads push notices (a polling reply is ready, a WebSocket has frames to write,
// a client event arrived, a lookup finished, ...). The first push into an empty queue
// writes to an eventfd that the Python side watches with loop.add_reader(); the reader
// callback takes the whole batch at once. This is what loop.call_soon_threadsafe() does
// inside (a write to the loop's self-pipe), without its one cost that matters here: a
// shard thread never acquires the GIL, so no connection on a shard ever waits for Python
// code to yield the interpreter, and no shard thread touches Python during interpreter
// shutdown. Notices hold only C++ values; they become Python objects on the loop thread.
//
// Threading: push() from any thread (shard threads); take_all() and wakeup_fd() from the
// Python loop thread.
#pragma once

#include "eio/host_interface.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sg::py {

class AsgiWebSocketPeer;

// The engine's answer to one long-polling request.
struct PollReplyNotice {
  std::uint64_t token;
  eio::HttpReply reply;
};

// The outcome of a WebSocket open: a refusal to send instead of accepting, or the peer
// that now carries the connection (null when refused).
struct WebSocketOpenedNotice {
  std::uint64_t token;
  std::optional<eio::HttpReply> refusal;
  std::shared_ptr<AsgiWebSocketPeer> peer;
};

// A peer's outbox went from empty to non-empty (or was closed): Python should drain it.
struct OutboxReadyNotice {
  std::uint64_t peer_id;
};

struct ConnectNotice {
  std::string nsp;
  std::string sid;
  std::string user_id;
  std::string claims_json;
};

// A client event; ack_id is set when the client asked for an acknowledgement.
struct EventNotice {
  std::string nsp;
  std::string sid;
  std::string event;
  std::string arguments_json;  // a JSON array, binary values as {"_placeholder":true,"num":K}
  std::vector<std::string> attachments;
  std::optional<std::uint64_t> ack_id;
};

struct DisconnectNotice {
  std::string nsp;
  std::string sid;
  std::string user_id;
  std::string reason;
};

// A lookup or a shutdown finished. `found` is false for an unknown sid; `names` holds
// the rooms or sids the lookup returned.
struct DoneNotice {
  std::uint64_t token;
  bool found = true;
  std::optional<std::vector<std::string>> names;
};

using Notice = std::variant<PollReplyNotice, WebSocketOpenedNotice, OutboxReadyNotice, ConnectNotice, EventNotice,
                            DisconnectNotice, DoneNotice>;

class NoticeQueue {
 public:
  NoticeQueue();  // throws std::system_error when no eventfd can be made
  ~NoticeQueue();
  NoticeQueue(const NoticeQueue&) = delete;
  NoticeQueue& operator=(const NoticeQueue&) = delete;

  // Readable whenever notices are waiting.
  int wakeup_fd() const { return fd_; }

  void push(Notice notice);
  // Everything queued so far; the fd is reset first, so a push racing with this call
  // makes the fd readable again rather than being lost.
  std::vector<Notice> take_all();

 private:
  int fd_ = -1;
  std::mutex mutex_;
  std::vector<Notice> queue_;
  bool wakeup_pending_ = false;
};

}  // namespace sg::py
