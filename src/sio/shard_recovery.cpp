// Connection-state recovery on one shard (see shard_state.hpp and recovery_log.hpp): keeping
// a socket that lost its connection, and finding what a recovering CONNECT gets back.
//
// A CONNECT recovers when its auth carries the pid of a kept session of the same namespace
// and the same user (the token was verified just before, as for any CONNECT) and an offset
// the log can still serve. "offset" may be absent when the client never received an emit
// that carried one (socket.io-client then sends only the pid): the replay starts where the
// socket connected. A pid or offset that is not a string, unknown, expired, used before, of
// another user or past what the log holds gives a fresh session, counted as a miss.
//
// When the cluster link orders emits, sessions go to Redis instead (shard_cluster_recovery.cpp).
// Otherwise, in cluster mode a kept session holds its rooms' channels subscribed on this node (so emits
// from other nodes keep reaching the log) until it is taken back — released once the new
// socket has joined them — or forgotten. Shard 0 sweeps expired sessions now and then, so
// their holds and memory go even when nobody connects.
//
// Threading: the shard's thread (the log and the store lock for themselves).
#include "shard_state.hpp"

#include "util/log.hpp"

namespace sg::sio {

std::optional<RecoveredSession> ShardState::try_recover(const boost::json::object& auth, std::size_t nsp_index,
                                                        std::string_view user_id) {
  RecoveryLog* log = gateway_.recovery_log();
  SessionStore* sessions = gateway_.recovery_sessions();
  const auto* pid = auth.if_contains("pid");
  if (!log || !sessions || pid == nullptr) return std::nullopt;
  auto miss = [&](std::string_view why) -> std::optional<RecoveredSession> {
    GatewayMetrics::add(gateway_.mutable_metrics().recovery_misses);
    log::debug("recovery refused, fresh session", {{"reason", why}});
    return std::nullopt;
  };
  if (!pid->is_string()) return miss("pid is not a string");
  std::optional<std::uint64_t> offset;
  if (const auto* value = auth.if_contains("offset")) {
    if (!value->is_string()) return miss("offset is not a string");
    offset = RecoveryLog::parse_offset(value->get_string());
    if (!offset) return miss("offset is not one of ours");
  }
  auto session = sessions->take(pid->get_string(), nsp_index, user_id);
  if (!session) return miss("no session of this user kept under that pid");
  auto missed = log->missed_after(offset.value_or(session->connected_at_seq), nsp_index, session->rooms);
  if (!missed) {
    gateway_.release_rooms(nsp_index, session->rooms);
    return miss("the log no longer holds everything after that offset");
  }
  return RecoveredSession{std::move(*session), std::move(*missed)};
}

void ShardState::keep_for_recovery(Socket& socket) {
  const Socket::RecoveryMark* mark = socket.recovery();
  if (!mark || !socket.connected()) return;
  if (gateway_.cluster_recovery()) {
    return gateway_.cluster()->persist_session(ClusterSession{mark->pid, socket.id(), socket.user_id(), socket.nsp(),
                                                              socket.rooms(), mark->connected_at_seq});
  }
  SessionStore* sessions = gateway_.recovery_sessions();
  if (!sessions) return;
  PersistedSession session{mark->pid, socket.id(), socket.user_id(), socket.namespace_index(), socket.rooms(),
                           mark->connected_at_seq, std::chrono::steady_clock::now()};
  gateway_.hold_rooms(session.nsp_index, session.rooms);  // before the socket leaves them
  sessions->keep(std::move(session));
}

void ShardState::sweep_recovery_sessions() {
  SessionStore* sessions = gateway_.recovery_sessions();
  if (!sessions) return;
  sessions->sweep();
  recovery_sweep_->expires_after(std::max(std::chrono::milliseconds(100), gateway_.options().recovery_max_disconnection / 4));
  recovery_sweep_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sweep_recovery_sessions();
  });
}

}  // namespace sg::sio
