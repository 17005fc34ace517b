// The cluster thread's work: connections, subscriptions, reconnection, and what arrives
// from Redis (see cluster_loop.hpp).
// Threading: entry points post to the loop; the rest runs on the cluster thread.
#include "cluster_loop.hpp"

#include "cluster_scripts.hpp"
#include "sio/stream_position.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>

#include <iterator>
#include <random>

namespace sg::cluster {

namespace {
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kLongestBackoff = std::chrono::milliseconds(5000);
constexpr auto kConnectTimeout = std::chrono::milliseconds(2000);
constexpr std::size_t kChannelsPerSubscribe = 512;

// Warnings about bad input from Redis, at most one per second.
void warn_bad_message(std::string_view channel, std::string_view why) {
  static std::chrono::steady_clock::time_point last;
  const auto now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::seconds(1)) return;
  last = now;
  log::warn("ignored a bad cluster message", {{"channel", channel}, {"error", why}});
}
}  // namespace

RedisCluster::Loop::Loop(RedisClusterOptions options, RedisEndpoint endpoint, sio::Gateway& gateway)
    : options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      gateway_(gateway),
      sid_prefix_(options_.node_id + "-"),
      node_channel_(cluster::node_channel(options_.key_prefix, options_.node_id)),
      work_(io_.get_executor()),
      reconnect_timer_(io_),
      backoff_(kFirstBackoff),
      pending_(io_, options_.request_timeout),
      shard_batches_(gateway.shards().size()),
      ordered_(gateway.options().recovery_max_disconnection.count() > 0),
      stream_key_(options_.key_prefix + "#recovery"),
      stream_max_length_(std::to_string(std::max<std::size_t>(1000, gateway.options().recovery_max_bytes / 512))),
      publish_script_sha_(script_sha1(kPublishScript)),
      lease_timer_(io_) {
  for (std::size_t i = 0; i < gateway_.namespace_count(); ++i) {
    const std::string& nsp = gateway_.namespace_name(i);
    fixed_channels_.emplace(emit_channel(options_.key_prefix, nsp, {}), FixedChannel{ChannelKind::broadcast, nsp});
    fixed_channels_.emplace(request_channel(options_.key_prefix, nsp), FixedChannel{ChannelKind::request, nsp});
  }
  fixed_channels_.emplace(node_channel_, FixedChannel{ChannelKind::node, "/"});
}

void RedisCluster::Loop::start() {
  boost::asio::post(io_, [this] { connect(); });
  thread_ = std::thread([this] { io_.run(); });
}

void RedisCluster::Loop::stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    stopping_ = true;
    // What was queued before — the sessions a drain keeps for recovery — reaches Redis before
    // the connections close: Redis answers this PING after everything sent before it.
    const std::string_view ping[] = {"PING"};
    if (connected() && commands_->command(ping, [this](const redisReply*) { close_everything(); })) {
      reconnect_timer_.expires_after(kConnectTimeout);
      reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) close_everything();
      });
      return;
    }
    close_everything();
  });
  thread_.join();
}

void RedisCluster::Loop::close_everything() {
  if (closed_) return;
  closed_ = true;
  connected_.store(false, std::memory_order_release);
  reconnect_timer_.cancel();
  lease_timer_.cancel();
  pending_.finish_all();
  fail_barriers();
  if (commands_) commands_->close();
  if (subscriber_) subscriber_->close();
  work_.reset();
}

// ---- connecting ------------------------------------------------------------------------

void RedisCluster::Loop::connect() {
  if (stopping_) return;
  const std::uint64_t generation = ++generation_;
  connections_ready_ = 0;
  auto lost = [this, generation](std::string_view why) { on_lost(generation, why); };
  commands_ = std::make_shared<RedisConnection>(io_, endpoint_, nullptr, lost);
  subscriber_ = std::make_shared<RedisConnection>(
      io_, endpoint_, [this](const redisReply& reply) { on_push(reply); }, lost);
  subscriber_->on_batch_end([this] { deliver_arrived(); });
  auto ready = [this, generation](bool ok, std::string_view why) {
    if (generation != generation_) return;
    if (!ok) return on_lost(generation, why);
    if (++connections_ready_ == 2) on_connection_ready();
  };
  commands_->connect(kConnectTimeout, ready);
  subscriber_->connect(kConnectTimeout, ready);
}

void RedisCluster::Loop::on_connection_ready() {
  subscribe_everything();
  backoff_ = kFirstBackoff;
  connected_.store(true, std::memory_order_release);
  if (ordered_) {
    load_publish_script();  // ahead of every EVALSHA on this connection
    learn_newest_position();
    renew_writer_lease();
  }
  if (ever_connected_) {
    reconnects_.fetch_add(1, std::memory_order_relaxed);
    log::info("redis reconnected", {{"node", options_.node_id}});
  } else {
    log::info("redis connected", {{"node", options_.node_id}, {"host", endpoint_.host}, {"port", endpoint_.port}});
  }
  ever_connected_ = true;
}

void RedisCluster::Loop::on_lost(std::uint64_t generation, std::string_view why) {
  if (generation != generation_ || stopping_) return;
  ++generation_;  // later callbacks of these connections are stale
  deliver_arrived();
  const bool was_connected = connected_.exchange(false, std::memory_order_acq_rel);
  if (was_connected || !ever_connected_) log::warn("redis unavailable", {{"node", options_.node_id}, {"error", why}});
  pending_.finish_all();
  fail_barriers();
  writer_ = false;  // the next subscriber connection has no pattern subscription
  lease_timer_.cancel();
  commands_->close();
  subscriber_->close();
  schedule_reconnect();
}

void RedisCluster::Loop::schedule_reconnect() {
  thread_local std::minstd_rand random{std::random_device{}()};
  // Half the backoff plus a random part of the other half, so nodes do not retry in step.
  const auto jitter = std::chrono::milliseconds(random() % (backoff_.count() / 2 + 1));
  reconnect_timer_.expires_after(backoff_ / 2 + jitter);
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(kLongestBackoff));
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

// ---- subscriptions ---------------------------------------------------------------------

void RedisCluster::Loop::subscribe_everything() {
  std::vector<std::string> channels;
  channels.reserve(fixed_channels_.size() + room_channels_.size());
  for (const auto& [channel, info] : fixed_channels_) channels.push_back(channel);
  for (const auto& [channel, shards] : room_channels_) channels.push_back(channel);
  for (std::size_t i = 0; i < channels.size(); i += kChannelsPerSubscribe) {
    const std::size_t count = std::min(kChannelsPerSubscribe, channels.size() - i);
    send_subscription("SUBSCRIBE", std::span(channels).subspan(i, count));
  }
}

void RedisCluster::Loop::send_subscription(std::string_view verb, std::span<const std::string> channels) {
  if (!subscriber_ || !subscriber_->ready()) return;  // subscribe_everything() runs on reconnect
  std::vector<std::string_view> arguments{verb};
  for (const auto& channel : channels) arguments.push_back(channel);
  if (!subscriber_->command(arguments)) on_lost(generation_, "subscription buffer full");
}

std::string RedisCluster::Loop::room_channel(std::string_view nsp, std::string_view room) const {
  const std::string name(room);
  return emit_channel(options_.key_prefix, nsp, std::span(&name, 1));
}

void RedisCluster::Loop::room_occupied(std::string channel) {
  boost::asio::post(io_, [this, channel = std::move(channel)] {
    if (++room_channels_[channel] != 1) return;
    room_subscriptions_.store(std::int64_t(room_channels_.size()), std::memory_order_relaxed);
    send_subscription("SUBSCRIBE", std::span(&channel, 1));
  });
}

void RedisCluster::Loop::room_vacated(std::string channel) {
  boost::asio::post(io_, [this, channel = std::move(channel)] {
    const auto it = room_channels_.find(channel);
    if (it == room_channels_.end() || --it->second > 0) return;
    room_channels_.erase(it);
    room_subscriptions_.store(std::int64_t(room_channels_.size()), std::memory_order_relaxed);
    send_subscription("UNSUBSCRIBE", std::span(&channel, 1));
  });
}

// ---- publishing ------------------------------------------------------------------------

bool RedisCluster::Loop::publish_now(std::string_view channel, std::string_view payload,
                                     RedisConnection::ReplyHandler on_reply) {
  const std::string_view arguments[] = {"PUBLISH", channel, payload};
  if (!connected() || !commands_->command(arguments, std::move(on_reply))) {
    publishes_dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  published_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void RedisCluster::Loop::publish(std::vector<OutgoingEmit> messages) {
  if (!connected()) {
    if (!messages.empty() && messages.front().ordered) return send_to_redis(std::move(messages));  // delivered here
    publishes_dropped_.fetch_add(messages.size(), std::memory_order_relaxed);
    return;
  }
  const auto shard = gateway_.shards().current_shard();
  if (!shard) return send_to_redis(std::move(messages));
  auto& batch = shard_batches_[*shard];
  const bool first = batch.empty();
  std::move(messages.begin(), messages.end(), std::back_inserter(batch));
  if (!first) return;
  boost::asio::post(gateway_.shards().context(*shard), [this, shard = *shard] {
    auto turn = std::move(shard_batches_[shard]);
    shard_batches_[shard].clear();
    send_to_redis(std::move(turn));
  });
}

void RedisCluster::Loop::send_to_redis(std::vector<OutgoingEmit> messages) {
  boost::asio::post(io_, [this, messages = std::move(messages)] {
    for (auto& message : messages) {
      if (message.ordered) {
        run_publish_script(std::move(message));
      } else {
        publish_now(message.channel, message.payload);
      }
    }
  });
}

// ---- questions to other nodes ----------------------------------------------------------

void RedisCluster::Loop::route(sio::SidRequest request, std::function<void(sio::SidReply)> done) {
  boost::asio::post(io_, [this, request = std::move(request), done = std::move(done)]() mutable {
    const auto dash = request.sid.find('-');
    if (!connected() || dash == std::string::npos || dash == 0) return done({});
    const std::string owner = request.sid.substr(0, dash);
    const std::uint64_t id = pending_.add_sid_question(std::move(done));
    const std::string question = encode_sid_question(request, id, options_.node_id);
    const bool sent = publish_now(cluster::node_channel(options_.key_prefix, owner), question,
                                  [this, id](const redisReply* reply) {
                                    // Nobody listens on that node's channel: no such node.
                                    if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER || reply->integer == 0)
                                      pending_.finish(id);
                                  });
    if (!sent) pending_.finish(id);
  });
}

void RedisCluster::Loop::search_sid(sio::SidRequest request, std::function<void(sio::SidReply)> done) {
  boost::asio::post(io_, [this, request = std::move(request), done = std::move(done)]() mutable {
    if (!connected()) return done({});
    const std::uint64_t id = pending_.add_sid_search(std::move(done));
    const std::string question = encode_sid_question(request, id, options_.node_id, true);
    const bool sent = publish_now(request_channel(options_.key_prefix, "/"), question,
                                  [this, id](const redisReply* reply) {
                                    // Every node receives it, this one included.
                                    if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) return pending_.finish(id);
                                    pending_.expect_replies(id, reply->integer - 1);
                                  });
    if (!sent) pending_.finish(id);
  });
}

void RedisCluster::Loop::gather_user_sids(std::string user_id, std::function<void(std::vector<std::string>)> done) {
  boost::asio::post(io_, [this, user_id = std::move(user_id), done = std::move(done)]() mutable {
    if (!connected()) return done({});
    const std::uint64_t id = pending_.add_user_sids_question(std::move(done));
    const std::string question = encode_user_sids_question(user_id, id, options_.node_id);
    const bool sent = publish_now(request_channel(options_.key_prefix, "/"), question,
                                  [this, id](const redisReply* reply) {
                                    // Every node receives it, this one included.
                                    if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) return pending_.finish(id);
                                    pending_.expect_replies(id, reply->integer - 1);
                                  });
    if (!sent) pending_.finish(id);
  });
}

// ---- what arrives ----------------------------------------------------------------------

void RedisCluster::Loop::on_push(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 2) return;
  const std::string_view kind = reply_text(*reply.element[0]);
  if (kind == "pong") return on_pong(reply_text(*reply.element[1]));
  if (reply.elements < 3) return;
  if (kind == "message") return on_message(reply_text(*reply.element[1]), reply_text(*reply.element[2]));
  // Pattern subscriptions exist only on the lease holder, for external emitters' messages.
  if (kind == "pmessage" && reply.elements >= 4)
    return on_external_emit(reply_text(*reply.element[2]), reply_text(*reply.element[3]));
  // subscribe/unsubscribe confirmations need nothing.
}

void RedisCluster::Loop::on_message(std::string_view channel, std::string_view payload) {
  const auto fixed = fixed_channels_.find(channel);
  if (fixed == fixed_channels_.end()) {
    received_room_.fetch_add(1, std::memory_order_relaxed);
    return on_emit(payload);
  }
  switch (fixed->second.kind) {
    case ChannelKind::broadcast:
      received_broadcast_.fetch_add(1, std::memory_order_relaxed);
      return on_emit(payload);
    case ChannelKind::request:
      received_request_.fetch_add(1, std::memory_order_relaxed);
      return on_request(payload, fixed->second.nsp);
    case ChannelKind::node:
      received_node_.fetch_add(1, std::memory_order_relaxed);
      return on_request(payload, fixed->second.nsp);
  }
}

void RedisCluster::Loop::on_emit(std::string_view payload) {
  std::string error;
  auto emit = decode_emit(payload, error);
  if (!emit) return warn_bad_message("emit", error);
  std::uint64_t position = 0;
  if (ordered_ && !emit->offset.empty()) {
    // In stream order, for every node: the emitting one delivers its own emits from here.
    const auto parsed = sio::stream_position(emit->offset);
    if (!parsed) return warn_bad_message("emit", "the offset is not a stream id");
    position = *parsed;
    note_position(position);
  } else {
    if (emit->uid == options_.node_id) return;  // our own, delivered locally already
    // With recovery, an external emitter's message comes back with an offset: the lease
    // holder copies it into the stream (on_external_emit).
    if (ordered_) return;
    emit->offset.clear();
  }
  arrived_.push_back({std::move(emit->target), std::move(emit->event), std::move(emit->arguments),
                      std::move(emit->attachments), std::move(emit->offset), position});
}

void RedisCluster::Loop::deliver_arrived() {
  if (arrived_.empty()) return;
  gateway_.deliver_from_cluster(std::move(arrived_));
  arrived_.clear();
}

void RedisCluster::Loop::on_request(std::string_view payload, std::string_view nsp) {
  deliver_arrived();  // emits that came before this request take effect before it
  std::string error;
  auto request = decode_request(payload, nsp, error);
  if (!request) return warn_bad_message("request", error);
  if (auto* selection = std::get_if<SelectionRequest>(&*request)) {
    return gateway_.apply_to_matching(std::move(selection->selection), std::move(selection->action));
  }
  if (auto* question = std::get_if<SidQuestion>(&*request)) return answer(*question);
  if (auto* question = std::get_if<UserSidsQuestion>(&*request)) return answer(*question);
  if (auto* reply = std::get_if<Reply>(&*request)) return pending_.on_reply(std::move(*reply));
}

void RedisCluster::Loop::answer(const SidQuestion& question) {
  auto reply_with = [this, id = question.id, from = question.from](sio::SidReply reply) {
    boost::asio::post(io_, [this, id, from, reply = std::move(reply)]() mutable {
      send_reply(from, Reply{id, reply.found, reply.refused, std::move(reply.rooms), {}});
    });
  };
  if (question.anywhere) {
    // A search for a roaming socket: every node answers, from its own sockets only.
    if (question.from == options_.node_id) return;
    if (gateway_.is_remote_sid(question.request.sid)) return reply_with({});
    return gateway_.apply_to_local_sid(question.request, std::move(reply_with));
  }
  if (!question.request.sid.starts_with(sid_prefix_)) return;  // not ours
  gateway_.on_sid(question.request, std::move(reply_with));
}

void RedisCluster::Loop::answer(const UserSidsQuestion& question) {
  if (question.from == options_.node_id) return;
  gateway_.local_sids_of_user(question.user_id, [this, id = question.id, from = question.from](std::vector<std::string> sids) {
    boost::asio::post(io_, [this, id, from, sids = std::move(sids)]() mutable {
      send_reply(from, Reply{id, true, false, {}, std::move(sids)});
    });
  });
}

void RedisCluster::Loop::send_reply(std::string_view node, Reply reply) {
  publish_now(cluster::node_channel(options_.key_prefix, node), encode_reply(reply));
}

sio::ClusterStatus RedisCluster::Loop::status() const {
  sio::ClusterStatus status;
  status.connected = connected();
  status.reconnects = reconnects_.load(std::memory_order_relaxed);
  status.room_subscriptions = room_subscriptions_.load(std::memory_order_relaxed);
  status.received_broadcast = received_broadcast_.load(std::memory_order_relaxed);
  status.received_room = received_room_.load(std::memory_order_relaxed);
  status.received_request = received_request_.load(std::memory_order_relaxed);
  status.received_node = received_node_.load(std::memory_order_relaxed);
  status.published = published_.load(std::memory_order_relaxed);
  status.publishes_dropped = publishes_dropped_.load(std::memory_order_relaxed);
  return status;
}

}  // namespace sg::cluster
