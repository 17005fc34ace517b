// Cluster-wide connection-state recovery on the cluster thread (see cluster_loop.hpp and
// docs/recovery.md): emits go into one Redis stream and onto their channels in one script,
// so every node receives them in stream order and a stream id means the same position on
// every node; kept sessions are JSON values with a time to live; a recovering socket's
// missed emits are read from the stream once its rooms' subscriptions are in place.
//
// Threading: the public entry points post to the loop (publish_ordered goes through the
// per-shard batching of publish()); the rest runs on the cluster thread.
#include "cluster_loop.hpp"

#include "cluster_scripts.hpp"
#include "sio/stream_position.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::cluster {

// ---- publishing in stream order ---------------------------------------------------------

bool RedisCluster::Loop::publish_ordered(std::vector<OutgoingEmit> messages) {
  if (!connected()) return false;
  publish(std::move(messages));
  return true;
}

void RedisCluster::Loop::load_publish_script() {
  const std::string_view arguments[] = {"SCRIPT", "LOAD", kPublishScript};
  commands_->command(arguments);
}

// By its SHA1 (Redis has it: load_publish_script ran first on this connection); by its text
// again if Redis has forgotten it (SCRIPT FLUSH), and then it is loaded anew.
void RedisCluster::Loop::run_publish_script(OutgoingEmit message, bool by_sha) {
  auto kept = std::make_shared<OutgoingEmit>(std::move(message));  // for the fallbacks
  const std::string_view arguments[] = {by_sha ? "EVALSHA" : "EVAL", by_sha ? publish_script_sha_ : kPublishScript,
                                        "2", stream_key_, kept->channel, stream_max_length_, kept->payload};
  auto on_reply = [this, kept, by_sha](const redisReply* reply) {
    if (by_sha && reply != nullptr && reply->type == REDIS_REPLY_ERROR &&
        std::string_view(reply->str, reply->len).starts_with("NOSCRIPT")) {
      run_publish_script(std::move(*kept), false);
      return load_publish_script();
    }
    if (reply == nullptr || reply->type != REDIS_REPLY_STRING) {
      if (reply != nullptr && reply->type == REDIS_REPLY_ERROR)
        log::warn("recovery publish refused by Redis", {{"error", std::string_view(reply->str, reply->len)}});
      return deliver_unordered(*kept);
    }
    if (const auto position = sio::stream_position(reply_text(*reply))) note_position(*position);
  };
  if (!connected() || !commands_->command(arguments, on_reply)) return deliver_unordered(*kept);
  published_.fetch_add(1, std::memory_order_relaxed);
}

// The script did not run (Redis went away or refused it): the emit still reaches this node's
// sockets, without an offset, as any emit does while Redis is unreachable.
void RedisCluster::Loop::deliver_unordered(const OutgoingEmit& message) {
  publishes_dropped_.fetch_add(1, std::memory_order_relaxed);
  std::string error;
  auto emit = decode_emit(message.payload + encoded_offset(""), error);
  if (!emit) return;
  arrived_.push_back({std::move(emit->target), std::move(emit->event), std::move(emit->arguments),
                      std::move(emit->attachments), {}, 0});
  deliver_arrived();
}

void RedisCluster::Loop::note_position(std::uint64_t position) {
  std::uint64_t newest = newest_position_.load(std::memory_order_relaxed);
  while (position > newest && !newest_position_.compare_exchange_weak(newest, position, std::memory_order_acq_rel)) {
  }
}

// The stream's newest entry, so that a socket connecting before this node saw any emit still
// knows where its history starts.
void RedisCluster::Loop::learn_newest_position() {
  const std::string_view arguments[] = {"XREVRANGE", stream_key_, "+", "-", "COUNT", "1"};
  commands_->command(arguments, [this](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) return;
    const redisReply& entry = *reply->element[0];
    if (entry.type != REDIS_REPLY_ARRAY || entry.elements < 1) return;
    if (const auto position = sio::stream_position(reply_text(*entry.element[0]))) note_position(*position);
  });
}

// ---- external emitters ------------------------------------------------------------------

// @socket.io/redis-emitter and RedisEmitter publish without the stream. One node — the holder
// of a lease in Redis — receives every emit channel by pattern and publishes each such message
// again through the script; every node delivers only that copy, with its offset.
void RedisCluster::Loop::renew_writer_lease() {
  constexpr auto kLeaseRenewal = std::chrono::milliseconds(1000);
  constexpr std::string_view kLeaseMilliseconds = "3000";
  if (connected() && commands_) {
    const std::string key = options_.key_prefix + "#recovery-writer";
    const std::string_view arguments[] = {"EVAL", kLeaseScript, "1", key, options_.node_id, kLeaseMilliseconds};
    commands_->command(arguments, [this](const redisReply* reply) {
      const bool holds = reply != nullptr && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
      if (holds == writer_ || !subscriber_ || !subscriber_->ready()) return;
      writer_ = holds;
      const std::string pattern = options_.key_prefix + "#*";
      const std::string_view verb = holds ? "PSUBSCRIBE" : "PUNSUBSCRIBE";
      const std::string_view subscription[] = {verb, pattern};
      subscriber_->command(subscription);
      log::info(holds ? "this node copies external emitters' messages into the recovery stream"
                      : "another node copies external emitters' messages now",
                {{"node", options_.node_id}});
    });
  }
  lease_timer_.expires_after(kLeaseRenewal);
  lease_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) renew_writer_lease();
  });
}

void RedisCluster::Loop::on_external_emit(std::string_view channel, std::string_view payload) {
  if (!writer_ || carries_offset(payload)) return;
  std::string error;
  auto emit = decode_emit(payload, error);
  if (!emit) return;  // requests and bad messages: the plain subscription handles them
  run_publish_script(encode_ordered_copy(std::string(channel), *emit));
}

// ---- kept sessions ------------------------------------------------------------------------

std::string RedisCluster::Loop::session_key(std::string_view pid) const {
  return options_.key_prefix + "#session#" + std::string(pid);
}

void RedisCluster::Loop::persist_session(sio::ClusterSession session) {
  boost::asio::post(io_, [this, session = std::move(session)] {
    if (!connected()) return;  // docs/recovery.md: without Redis the session cannot be kept
    boost::json::array rooms;
    for (const auto& room : session.rooms) rooms.emplace_back(room);
    const std::string value = boost::json::serialize(boost::json::object{
        {"sid", session.sid}, {"user", session.user_id}, {"nsp", session.nsp}, {"rooms", std::move(rooms)},
        {"at", sio::stream_id(session.connected_at)}});
    const std::string key = session_key(session.pid);
    const std::string window = std::to_string(gateway_.options().recovery_max_disconnection.count());
    const std::string_view arguments[] = {"SET", key, value, "PX", window};
    commands_->command(arguments);
  });
}

void RedisCluster::Loop::claim_session(std::string pid, std::string nsp, std::string user_id,
                                       std::function<void(std::optional<sio::ClusterSession>)> done) {
  boost::asio::post(io_, [this, pid = std::move(pid), nsp = std::move(nsp), user_id = std::move(user_id),
                          done = std::move(done)]() mutable {
    const std::string key = session_key(pid);
    const std::string_view arguments[] = {"EVAL", kClaimScript, "1", key, user_id, nsp};
    auto on_reply = [pid, done](const redisReply* reply) {
      if (reply == nullptr || reply->type != REDIS_REPLY_STRING) return done(std::nullopt);
      boost::system::error_code ec;
      const auto value = boost::json::parse(reply_text(*reply), ec);
      const auto* object = ec ? nullptr : value.if_object();
      const auto* sid = object ? object->if_contains("sid") : nullptr;
      const auto* user = object ? object->if_contains("user") : nullptr;
      const auto* session_nsp = object ? object->if_contains("nsp") : nullptr;
      const auto* rooms = object ? object->if_contains("rooms") : nullptr;
      const auto* at = object ? object->if_contains("at") : nullptr;
      if (!sid || !sid->is_string() || !user || !user->is_string() || !session_nsp || !session_nsp->is_string() ||
          !rooms || !rooms->is_array() || !at || !at->is_string())
        return done(std::nullopt);
      sio::ClusterSession session{pid, std::string(sid->get_string()), std::string(user->get_string()),
                                  std::string(session_nsp->get_string()), {},
                                  sio::stream_position(at->get_string()).value_or(0)};
      for (const auto& room : rooms->get_array()) {
        if (room.is_string()) session.rooms.emplace_back(room.get_string());
      }
      done(std::move(session));
    };
    if (!connected() || !commands_->command(arguments, on_reply)) done(std::nullopt);
  });
}

// ---- reading what a socket missed ---------------------------------------------------------

void RedisCluster::Loop::read_missed(std::uint64_t after, std::string nsp,
                                     std::function<void(std::optional<sio::MissedEmits>)> done) {
  boost::asio::post(io_, [this, after, nsp = std::move(nsp), done = std::move(done)]() mutable {
    after_subscriptions([this, after, nsp = std::move(nsp), done = std::move(done)](bool ok) mutable {
      if (!ok) return done(std::nullopt);
      read_stream(after, nsp, std::move(done));
    });
  });
}

// Redis answers a PING on the subscriber connection after every SUBSCRIBE sent before it, so
// once the pong is back the subscriptions asked for so far are in place.
void RedisCluster::Loop::after_subscriptions(std::function<void(bool ok)> then) {
  if (!connected() || !subscriber_ || !subscriber_->ready()) return then(false);
  std::string token = "sg-barrier-" + std::to_string(++next_barrier_);
  const std::string_view arguments[] = {"PING", token};
  if (!subscriber_->command(arguments)) return then(false);
  barriers_.emplace(std::move(token), std::move(then));
}

void RedisCluster::Loop::on_pong(std::string_view token) {
  const auto it = barriers_.find(std::string(token));
  if (it == barriers_.end()) return;
  auto then = std::move(it->second);
  barriers_.erase(it);
  then(true);
}

void RedisCluster::Loop::fail_barriers() {
  auto waiting = std::move(barriers_);
  barriers_.clear();
  for (auto& [token, then] : waiting) then(false);
}

void RedisCluster::Loop::read_stream(std::uint64_t after, const std::string& nsp,
                                     std::function<void(std::optional<sio::MissedEmits>)> done) {
  const std::string start = after == 0 ? "-" : sio::stream_id(after);
  const std::string_view arguments[] = {"XRANGE", stream_key_, start, "+"};
  auto on_reply = [after, nsp, done](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return done(std::nullopt);
    sio::MissedEmits missed;
    missed.through = after;
    for (std::size_t i = 0; i < reply->elements; ++i) {
      const redisReply& entry = *reply->element[i];
      if (entry.type != REDIS_REPLY_ARRAY || entry.elements < 2) continue;
      const std::string_view id = reply_text(*entry.element[0]);
      const auto position = sio::stream_position(id);
      if (!position) continue;
      // The entry of the offset itself must still be there: else the stream was trimmed past
      // it, and what the client missed cannot be known.
      if (i == 0 && after != 0) {
        if (*position != after) return done(std::nullopt);
        continue;
      }
      missed.through = *position;
      const redisReply& fields = *entry.element[1];
      if (fields.type != REDIS_REPLY_ARRAY || fields.elements < 2) continue;
      std::string error;
      auto emit = decode_emit(std::string(reply_text(*fields.element[1])) + encoded_offset(id), error);
      if (!emit || emit->target.nsp != nsp) continue;
      missed.emits.push_back({std::move(emit->target), std::move(emit->event), std::move(emit->arguments),
                              std::move(emit->attachments), std::move(emit->offset), *position});
    }
    if (after != 0 && reply->elements == 0) return done(std::nullopt);
    done(std::move(missed));
  };
  if (!connected() || !commands_->command(arguments, on_reply)) done(std::nullopt);
}

}  // namespace sg::cluster
