// GatewayCore: the application API — emits, acks for client events, room changes and
// lookups by sid or user (see gateway_core.hpp). JSON is parsed on the calling thread so
// that a shard only does the delivery.
// Threading: any thread but a shard thread; acks are used only on their socket's shard.
#include "gateway_core.hpp"

#include "util/random_id.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace sg::py {

namespace {
boost::json::array parse_arguments(const std::string& arguments_json) {
  boost::json::value parsed = boost::json::parse(arguments_json);  // throws system_error
  if (!parsed.is_array()) throw std::invalid_argument("arguments must be a JSON array");
  return std::move(parsed.get_array());
}
}  // namespace

// ---- emits and acks ---------------------------------------------------------------------

bool GatewayCore::emit(const std::string& nsp, std::vector<std::string> rooms, std::vector<std::string> except_rooms,
                       const std::string& event, const std::string& arguments_json,
                       std::vector<std::string> attachments) {
  if (!gateway_.serves_namespace(nsp)) return false;
  const boost::json::array arguments = parse_arguments(arguments_json);
  if (!running()) return true;  // nobody is connected
  sio::EmitTarget target{nsp, std::move(rooms), std::move(except_rooms)};
  return gateway_.emit(target, event, std::span(arguments.data(), arguments.size()), std::move(attachments));
}

std::optional<std::uint64_t> GatewayCore::keep_ack(const std::string& sid, sio::Ack& ack) {
  if (!ack.wanted()) return std::nullopt;
  ShardAcks& shard = acks_[gateway_.shard_of_sid(sid)];
  const std::uint64_t id = shard.next_id++;
  shard.pending.emplace(id, ack);
  return id;
}

void GatewayCore::with_ack(const std::string& sid, std::uint64_t ack_id, std::function<void(sio::Ack&)> use) {
  if (!running()) return;
  const std::size_t shard = gateway_.shard_of_sid(sid);
  pool_.post(shard, [this, shard, ack_id, use = std::move(use)] {
    auto& pending = acks_[shard].pending;
    const auto found = pending.find(ack_id);
    if (found == pending.end()) return;
    sio::Ack ack = std::move(found->second);
    pending.erase(found);
    if (use) use(ack);
  });
}

void GatewayCore::send_ack(const std::string& sid, std::uint64_t ack_id, const std::string& arguments_json,
                           std::vector<std::string> attachments) {
  auto reply = std::make_shared<sio::Arguments>(sio::Arguments{parse_arguments(arguments_json), std::move(attachments)});
  with_ack(sid, ack_id, [reply](sio::Ack& ack) { ack(std::move(*reply)); });
}

void GatewayCore::drop_ack(const std::string& sid, std::uint64_t ack_id) { with_ack(sid, ack_id, nullptr); }

// ---- rooms and lookups ------------------------------------------------------------------

void GatewayCore::act_on_sid(SidAction action, std::uint64_t token, const std::string& sid, const std::string& room) {
  if (!running()) return notices_->push(DoneNotice{token, false, std::nullopt});
  auto done = [notices = notices_, token](bool found) { notices->push(DoneNotice{token, found, std::nullopt}); };
  switch (action) {
    case SidAction::join_room:
      return gateway_.on_sid({sio::SidRequest::Kind::join, sid, room}, [notices = notices_, token](sio::SidReply reply) {
        notices->push(DoneNotice{token, reply.found, std::nullopt, reply.refused});
      });
    case SidAction::leave_room:
      return gateway_.leave_room(sid, room, std::move(done));
    case SidAction::disconnect:
      return gateway_.disconnect(sid, std::move(done));
  }
}

void GatewayCore::rooms_of(std::uint64_t token, const std::string& sid) {
  if (!running()) return notices_->push(DoneNotice{token, false, std::nullopt});
  gateway_.rooms_of(sid, [notices = notices_, token](std::optional<std::vector<std::string>> rooms) {
    const bool found = rooms.has_value();
    notices->push(DoneNotice{token, found, std::move(rooms)});
  });
}

void GatewayCore::sids_of_user(std::uint64_t token, const std::string& user_id) {
  if (!running()) return notices_->push(DoneNotice{token, true, std::vector<std::string>{}});
  gateway_.sids_of_user(user_id, [notices = notices_, token](std::vector<std::string> sids) {
    notices->push(DoneNotice{token, true, std::move(sids)});
  });
}

// The blocking forms share the async plumbing of the Gateway; each waits on a promise
// and checks now and then that the pool still runs.
int GatewayCore::join_room_now(const std::string& sid, const std::string& room) {
  if (!running()) return 0;
  auto promise = std::make_shared<std::promise<int>>();
  auto answer = promise->get_future();
  gateway_.on_sid({sio::SidRequest::Kind::join, sid, room}, [promise](sio::SidReply reply) {
    promise->set_value(!reply.found ? 0 : reply.refused ? 2 : 1);
  });
  return wait_until_answered(answer);
}

bool GatewayCore::act_on_sid_now(SidAction action, const std::string& sid, const std::string& room) {
  if (!running()) return false;
  auto promise = std::make_shared<std::promise<bool>>();
  auto answer = promise->get_future();
  auto done = [promise](bool found) { promise->set_value(found); };
  switch (action) {
    case SidAction::join_room:
      gateway_.join_room(sid, room, std::move(done));
      break;
    case SidAction::leave_room:
      gateway_.leave_room(sid, room, std::move(done));
      break;
    case SidAction::disconnect:
      gateway_.disconnect(sid, std::move(done));
      break;
  }
  return wait_until_answered(answer);
}

std::optional<std::vector<std::string>> GatewayCore::rooms_of_now(const std::string& sid) {
  if (!running()) return std::nullopt;
  auto promise = std::make_shared<std::promise<std::optional<std::vector<std::string>>>>();
  auto answer = promise->get_future();
  gateway_.rooms_of(sid, [promise](std::optional<std::vector<std::string>> rooms) {
    promise->set_value(std::move(rooms));
  });
  return wait_until_answered(answer);
}

std::vector<std::string> GatewayCore::sids_of_user_now(const std::string& user_id) {
  if (!running()) return {};
  auto promise = std::make_shared<std::promise<std::vector<std::string>>>();
  auto answer = promise->get_future();
  gateway_.sids_of_user(user_id, [promise](std::vector<std::string> sids) { promise->set_value(std::move(sids)); });
  return wait_until_answered(answer);
}

}  // namespace sg::py
