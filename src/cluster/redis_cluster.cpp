// RedisCluster: validates its options and forwards the ClusterLink calls to its loop
// (see redis_cluster.hpp and cluster_loop.hpp).
// Threading: as documented in redis_cluster.hpp.
#include "cluster/redis_cluster.hpp"

#include "cluster_loop.hpp"
#include "emit_message.hpp"
#include "util/random_id.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace sg::cluster {

namespace {
constexpr std::size_t kGeneratedNodeIdLength = 8;
constexpr std::size_t kLongestNodeId = 16;

std::string generated_node_id() {
  std::string id;
  while (id.size() < kGeneratedNodeIdLength) {
    for (char c : random_id()) {
      if (std::isalnum(static_cast<unsigned char>(c)) && id.size() < kGeneratedNodeIdLength) id += c;
    }
  }
  return id;
}

RedisEndpoint endpoint_or_throw(const RedisClusterOptions& options) {
  std::string error;
  auto endpoint = parse_redis_url(options.redis_url, error);
  if (!endpoint) throw std::invalid_argument(error);
  return *endpoint;
}

RedisClusterOptions checked(RedisClusterOptions options) {
  if (options.node_id.empty()) options.node_id = generated_node_id();
  const bool valid = options.node_id.size() <= kLongestNodeId &&
                     std::all_of(options.node_id.begin(), options.node_id.end(),
                                 [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
  if (!valid) throw std::invalid_argument("the node id must be 1 to 16 letters or digits");
  // The published emitters sign their messages "emitter"; a node of that name would skip them.
  if (options.node_id == "emitter") throw std::invalid_argument("the node id \"emitter\" is reserved");
  if (options.key_prefix.empty()) throw std::invalid_argument("the Redis key prefix must not be empty");
  return options;
}
}  // namespace

RedisCluster::RedisCluster(RedisClusterOptions options, sio::Gateway& gateway) {
  options = checked(std::move(options));
  RedisEndpoint endpoint = endpoint_or_throw(options);
  loop_ = std::make_unique<Loop>(std::move(options), std::move(endpoint), gateway);
}

RedisCluster::~RedisCluster() { stop(); }

void RedisCluster::start() { loop_->start(); }
void RedisCluster::stop() { loop_->stop(); }
const std::string& RedisCluster::node_id() const { return loop_->node_id(); }
const std::string& RedisCluster::sid_prefix() const { return loop_->sid_prefix(); }

void RedisCluster::publish_emit(const sio::EmitTarget& target, std::string_view event,
                                std::span<const boost::json::value> arguments,
                                const std::vector<std::string>& attachments) {
  loop_->publish(encode_emit(loop_->key_prefix(), loop_->node_id(), target, event, arguments, attachments));
}

void RedisCluster::room_occupied(std::size_t, std::string_view nsp, std::string_view room) {
  loop_->room_occupied(loop_->room_channel(nsp, room));
}

void RedisCluster::room_vacated(std::size_t, std::string_view nsp, std::string_view room) {
  loop_->room_vacated(loop_->room_channel(nsp, room));
}

void RedisCluster::route(sio::SidRequest request, std::function<void(sio::SidReply)> done) {
  loop_->route(std::move(request), std::move(done));
}

void RedisCluster::gather_user_sids(std::string_view user_id, std::function<void(std::vector<std::string>)> done) {
  loop_->gather_user_sids(std::string(user_id), std::move(done));
}

sio::ClusterStatus RedisCluster::status() const { return loop_->status(); }

bool RedisCluster::orders_emits() const { return loop_->orders_emits(); }

bool RedisCluster::publish_ordered(const sio::EmitTarget& target, std::string_view event,
                                   std::span<const boost::json::value> arguments,
                                   const std::vector<std::string>& attachments) {
  if (!loop_->connected()) return false;
  return loop_->publish_ordered(
      encode_emit(loop_->key_prefix(), loop_->node_id(), target, event, arguments, attachments, true));
}

void RedisCluster::search_sid(sio::SidRequest request, std::function<void(sio::SidReply)> done) {
  loop_->search_sid(std::move(request), std::move(done));
}

std::uint64_t RedisCluster::newest_position() const { return loop_->newest_position(); }

void RedisCluster::persist_session(sio::ClusterSession session) { loop_->persist_session(std::move(session)); }

void RedisCluster::claim_session(std::string pid, std::string nsp, std::string user_id,
                                 std::function<void(std::optional<sio::ClusterSession>)> done) {
  loop_->claim_session(std::move(pid), std::move(nsp), std::move(user_id), std::move(done));
}

void RedisCluster::read_missed(std::uint64_t after, std::string nsp,
                               std::function<void(std::optional<sio::MissedEmits>)> done) {
  loop_->read_missed(after, std::move(nsp), std::move(done));
}

}  // namespace sg::cluster
