// Socket: per-namespace emits, rooms and acks of one connection (see socket.hpp).
// Threading: the socket's shard thread only.
#include "sio/socket.hpp"

#include "proto/socket_packet.hpp"
#include "sio/gateway.hpp"
#include "shard_state.hpp"

#include <algorithm>

namespace sg::sio {

namespace {
std::vector<PacketRef> encode_attachments(const std::vector<std::string>& attachments) {
  std::vector<PacketRef> packets;
  packets.reserve(attachments.size());
  for (const auto& bytes : attachments) packets.push_back(EncodedPacket::binary(bytes));
  return packets;
}
}  // namespace

Socket::Socket(ShardState& shard, Client& client, std::size_t namespace_index, std::string id)
    : shard_(shard), client_(client), namespace_index_(namespace_index), id_(std::move(id)) {}

const std::string& Socket::nsp() const { return shard_.gateway().namespace_name(namespace_index_); }

eio::Session& Socket::session() const { return client_.session; }

void Socket::set_identity(std::string user_id, boost::json::object claims) {
  user_id_ = std::move(user_id);
  claims_ = std::move(claims);
}

void Socket::emit(std::string_view event, const Arguments& arguments, AckCallback on_ack) {
  if (!connected_) return;
  std::optional<std::uint64_t> ack_id;
  if (on_ack) {
    ack_id = next_ack_id_++;
    pending_acks_.emplace(*ack_id, std::move(on_ack));
  }
  std::string text = "4";
  proto::append_event_packet(text, nsp(), event, std::span(arguments.values.data(), arguments.values.size()), ack_id,
                             arguments.attachments.size());
  shard_.send_to(*this, EncodedPacket::text(text), encode_attachments(arguments.attachments));
}

void Socket::send_ack(std::uint64_t id, const Arguments& reply) {
  if (!connected_) return;
  std::string text = "4";
  proto::append_ack_packet(text, nsp(), id, std::span(reply.values.data(), reply.values.size()),
                           reply.attachments.size());
  shard_.send_to(*this, EncodedPacket::text(text), encode_attachments(reply.attachments));
}

void Socket::resolve_ack(std::uint64_t id, Arguments& reply) {
  const auto it = pending_acks_.find(id);
  if (it == pending_acks_.end()) return;  // unknown or already answered: ignored
  AckCallback callback = std::move(it->second);
  pending_acks_.erase(it);
  callback(reply);
}

bool Socket::join(std::string_view room) { return !connected_ || shard_.join_room(*this, room); }

void Socket::leave(std::string_view room) { shard_.leave_room(*this, room); }

std::vector<std::string> Socket::rooms() const { return shard_.rooms(namespace_index_).rooms_of(const_cast<Socket*>(this)); }

bool Socket::take_event_token(double per_second) {
  if (per_second <= 0) return true;
  const double burst = std::max(1.0, 2 * per_second);
  const auto now = std::chrono::steady_clock::now();
  if (event_tokens_ < 0) {
    event_tokens_ = burst;
  } else {
    const double elapsed = std::chrono::duration<double>(now - events_refilled_).count();
    event_tokens_ = std::min(burst, event_tokens_ + elapsed * per_second);
  }
  events_refilled_ = now;
  if (event_tokens_ < 1) return false;
  event_tokens_ -= 1;
  return true;
}

void Socket::disconnect() { shard_.disconnect_socket(*this, true, "server namespace disconnect"); }

void Ack::operator()(Arguments reply) {
  if (!wanted_) return;
  wanted_ = false;
  if (auto socket = socket_.lock()) socket->send_ack(id_, reply);
}

}  // namespace sg::sio
