// AsgiWebSocketPeer: the engine's WebSocketPeer when the socket belongs to an ASGI server.
//
// The engine queues packets with send() on the session's shard thread; they go into a
// mutex-guarded outbox. When the outbox goes from empty to non-empty (or the engine closes
// the peer) ONE OutboxReadyNotice is pushed, however many packets follow, until the Python
// writer takes the outbox: that is how a fan-out burst reaches Python as one wake-up. The
// Python writer sends each packet as an ASGI "websocket.send" and then reports the bytes as
// written, so queued_bytes() counts what the ASGI server has not accepted yet and the
// engine's slow-client limit still applies.
//
// Threading: send/queued_bytes/close and the session binding on the peer's shard thread;
// take/written on the Python loop thread; the outbox is shared under one mutex.
#pragma once

#include "eio/host_interface.hpp"
#include "eio/session.hpp"
#include "notice_queue.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace sg::py {

class AsgiWebSocketPeer : public eio::WebSocketPeer, public std::enable_shared_from_this<AsgiWebSocketPeer> {
 public:
  AsgiWebSocketPeer(std::uint64_t id, std::size_t shard, std::shared_ptr<NoticeQueue> notices);

  std::uint64_t id() const { return id_; }
  std::size_t shard() const { return shard_; }

  // ---- shard side -------------------------------------------------------------------
  void send(const PacketRef& packet) override;
  std::size_t queued_bytes() const override;
  void close(bool flush_first) override;
  void bind(const std::shared_ptr<eio::Session>& session) { session_ = session; }
  std::shared_ptr<eio::Session> session() const { return session_.lock(); }

  // ---- Python side ------------------------------------------------------------------
  struct Batch {
    std::vector<PacketRef> packets;
    bool close_after = false;  // the engine closed the peer: send a close after these
  };
  // Everything queued since the last take; re-arms the notification.
  Batch take();
  // The ASGI server accepted `bytes` of the packets taken.
  void written(std::size_t bytes);
  // The client's side is gone: drop what is queued and accept nothing more.
  void abandon();

 private:
  const std::uint64_t id_;
  const std::size_t shard_;
  std::shared_ptr<NoticeQueue> notices_;
  std::weak_ptr<eio::Session> session_;  // shard thread only

  mutable std::mutex mutex_;
  std::vector<PacketRef> outbox_;
  std::size_t outbox_bytes_ = 0;
  std::size_t taken_bytes_ = 0;  // taken by Python, not yet written
  bool closed_ = false;          // no more packets are accepted
  bool close_reported_ = false;  // Python was given close_after
  bool notice_pending_ = false;
};

}  // namespace sg::py
