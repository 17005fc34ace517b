// ShardState: the Socket.IO layer of one shard. It is the SessionListener of the shard's
// Engine: it decodes Socket.IO packets, runs CONNECT (namespace, JWT, user room), events,
// acks and DISCONNECT, and keeps the shard-local indexes — sockets by sid, and per namespace
// the room index and the set of all sockets — that emits walk without any lock.
//
// Threading: one per shard; every member function runs on that shard's thread.
#pragma once

#include "auth/jwt_verifier.hpp"
#include "eio/engine.hpp"
#include "rooms/room_index.hpp"
#include "client.hpp"
#include "encoded_emit.hpp"
#include "recovery_log.hpp"
#include "session_store.hpp"
#include "sio/gateway.hpp"
#include "sio/socket.hpp"
#include "util/encoded_packet.hpp"
#include "util/string_hash.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sg::sio {

class Gateway;

// A session brought back by a recovering CONNECT, and the emits it missed.
struct RecoveredSession {
  PersistedSession session;
  RecoveryLog::Missed missed;
};

// A CONNECT whose token was verified, on its way to becoming a socket.
struct ConnectRequest {
  std::size_t nsp_index = 0;
  std::string nsp;
  boost::json::object auth;
  std::optional<auth::Identity> identity;

  std::string_view user_id() const { return identity ? std::string_view(identity->user_id) : std::string_view(); }
};

class ShardState : public eio::SessionListener {
 public:
  ShardState(Gateway& gateway, std::size_t index, std::size_t shard_count);

  eio::Engine& engine() { return engine_; }
  Gateway& gateway() { return gateway_; }
  rooms::RoomIndex<Socket*>& rooms(std::size_t namespace_index) { return rooms_[namespace_index]; }

  // SessionListener
  void on_open(eio::Session& session) override;
  void on_message(eio::Session& session, std::string_view data, bool binary) override;
  void on_close(eio::Session& session, eio::CloseReason reason) override;

  // Emits from the Gateway, already on this shard.
  void deliver(std::size_t namespace_index, const std::vector<std::string>& rooms,
               const std::vector<std::string>& except_rooms, const EncodedEmit& emit);
  Socket* find_socket(std::string_view sid) const;
  std::vector<std::string> sids_in_room(std::string_view room) const;  // across namespaces
  void disconnect_socket(Socket& socket, bool notify_client, std::string_view reason);
  void disconnect_all();

  // Room membership of one socket; tells the cluster link (if any) when a room of this
  // shard gains its first member or loses its last. A join past max_rooms_per_socket is
  // refused (false, counted).
  bool join_room(Socket& socket, std::string_view room);
  void leave_room(Socket& socket, std::string_view room);
  // A cluster request (see Gateway::apply_to_matching), for this shard's sockets.
  void apply_to_matching(const SocketSelection& selection, const SelectionAction& action);

  // Sends `head` and `attachments` to one socket's session; counts deliveries and drops.
  void send_to(Socket& socket, const PacketRef& head, const std::vector<PacketRef>& attachments);

 private:
  void dispatch(Client& client, proto::SocketPacket& packet, std::vector<std::string> attachments);
  void handle_connect(Client& client, proto::SocketPacket& packet);
  void handle_event(Client& client, Socket& socket, proto::SocketPacket& packet, std::vector<std::string> attachments);
  void handle_ack(Socket& socket, proto::SocketPacket& packet, std::vector<std::string> attachments);
  void send_connect_error(Client& client, std::string_view nsp, std::string_view message);
  void connect_fresh(Client& client, const ConnectRequest& request);
  // Makes the socket and its rooms (`restored_rooms` non-null: a recovered session's id and rooms).
  Socket& open_socket(Client& client, const ConnectRequest& request, std::string sid,
                      std::optional<Socket::RecoveryMark> mark, const std::vector<std::string>* restored_rooms);
  // The CONNECT reply, the replay of a recovered socket (non-null), then on_connect.
  void announce(Client& client, Socket& socket, const ConnectRequest& request, const std::vector<EncodedEmit>* replay);
  void join_claimed_rooms(Socket& socket);  // GatewayOptions::rooms_claim
  // Connection-state recovery (shard_recovery.cpp).
  std::optional<RecoveredSession> try_recover(const boost::json::object& auth, std::size_t nsp_index,
                                              std::string_view user_id);
  void keep_for_recovery(Socket& socket);
  void sweep_recovery_sessions();  // shard 0, every quarter window
  // Cluster-wide recovery (shard_cluster_recovery.cpp): the session and the missed emits
  // come from Redis, so the CONNECT completes later, on this shard.
  void recover_through_cluster(Client& client, ConnectRequest request);
  void on_session_claimed(const std::weak_ptr<eio::Session>& weak_session, std::shared_ptr<ConnectRequest> request,
                          std::optional<std::uint64_t> offset, std::optional<ClusterSession> claimed);
  void on_missed_read(const std::weak_ptr<Socket>& weak_socket, std::shared_ptr<ConnectRequest> request,
                      std::optional<MissedEmits> missed);
  void recovery_missed(Client& client, const ConnectRequest& request, std::string_view why);
  void protocol_error(Client& client, std::string_view what);

  Gateway& gateway_;
  std::size_t index_;
  std::size_t shard_count_;
  eio::Engine engine_;
  std::unordered_map<std::string, Socket*, TransparentStringHash, std::equal_to<>> sockets_by_sid_;
  std::vector<rooms::RoomIndex<Socket*>> rooms_;             // per namespace
  std::vector<std::unordered_set<Socket*>> namespace_members_;  // per namespace
  std::optional<boost::asio::steady_timer> recovery_sweep_;    // shard 0 with recovery on
  // Sockets restored from the cluster whose replay is still being read: live emits for them
  // wait here (they are not announced to the client or the application yet).
  std::unordered_map<Socket*, std::vector<EncodedEmit>> held_live_;
};

}  // namespace sg::sio
