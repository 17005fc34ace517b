// The ASGI WebSocket peer's outbox (see asgi_websocket_peer.hpp).
// Threading: shard thread for the engine side, Python loop thread for take/written.
#include "asgi_websocket_peer.hpp"

namespace sg::py {

AsgiWebSocketPeer::AsgiWebSocketPeer(std::uint64_t id, std::size_t shard, std::shared_ptr<NoticeQueue> notices)
    : id_(id), shard_(shard), notices_(std::move(notices)) {}

void AsgiWebSocketPeer::send(const PacketRef& packet) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    outbox_.push_back(packet);
    outbox_bytes_ += packet->payload().size();
    if (notice_pending_) return;
    notice_pending_ = true;
  }
  notices_->push(OutboxReadyNotice{id_});
}

std::size_t AsgiWebSocketPeer::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return outbox_bytes_ + taken_bytes_;
}

void AsgiWebSocketPeer::close(bool flush_first) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    if (!flush_first) {
      outbox_.clear();
      outbox_bytes_ = 0;
    }
    if (notice_pending_) return;
    notice_pending_ = true;
  }
  notices_->push(OutboxReadyNotice{id_});
}

AsgiWebSocketPeer::Batch AsgiWebSocketPeer::take() {
  Batch batch;
  std::lock_guard lock(mutex_);
  batch.packets.swap(outbox_);
  taken_bytes_ += outbox_bytes_;
  outbox_bytes_ = 0;
  notice_pending_ = false;
  if (closed_ && !close_reported_) {
    close_reported_ = true;
    batch.close_after = true;
  }
  return batch;
}

void AsgiWebSocketPeer::written(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  taken_bytes_ = bytes > taken_bytes_ ? 0 : taken_bytes_ - bytes;
}

void AsgiWebSocketPeer::abandon() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  close_reported_ = true;
  outbox_.clear();
  outbox_bytes_ = 0;
  taken_bytes_ = 0;
}

}  // namespace sg::py
