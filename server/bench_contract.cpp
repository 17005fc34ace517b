// The bench:emit handler (see bench_contract.hpp): checks the verified claims, parses the
// request, issues `repeat` rounds of emits (each round: every target once, in order) and
// acks the count. Nothing in the argument can make it throw or emit partially.
// Threading: runs on the sender's shard thread; Gateway::emit is safe from any thread.
#include "bench_contract.hpp"

#include "sio/socket.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sg::server {

namespace {

namespace json = boost::json;

// A bench request may not ask for more than this many emits in one call.
constexpr std::uint64_t kMaxIssued = 1'000'000;
// Names Socket.IO clients treat as their own; a request for them is malformed.
constexpr std::array<std::string_view, 6> kReservedEvents = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

struct BenchRequest {
  std::vector<sio::EmitTarget> targets;  // one per emit of a round, in order
  std::string event;
  json::value payload;
  std::uint64_t repeat = 1;
};

bool is_admin(const sio::Socket& socket) {
  const json::value* role = socket.claims().if_contains("role");
  return role && role->is_string() && role->get_string() == "admin";
}

// Appends one target per string of `names` (prefixed); false if `names` is not an array of strings.
bool add_room_targets(const json::value& names, const std::string& prefix, std::vector<sio::EmitTarget>& targets) {
  if (!names.is_array()) return false;
  for (const auto& name : names.get_array()) {
    if (!name.is_string()) return false;
    targets.push_back(sio::EmitTarget{"/", {prefix + std::string(name.get_string())}, {}});
  }
  return true;
}

std::optional<BenchRequest> parse_request(const sio::Arguments& arguments, const std::string& user_room_prefix) {
  if (arguments.values.empty() || !arguments.values[0].is_object()) return std::nullopt;
  const json::object& request = arguments.values[0].get_object();
  BenchRequest parsed;

  const json::value* to = request.if_contains("to");
  if (!to) return std::nullopt;
  if (to->is_string() && to->get_string() == "all") {
    parsed.targets.push_back(sio::EmitTarget{"/", {}, {}});
  } else if (to->is_object() && to->get_object().size() == 1) {
    const json::object& selector = to->get_object();
    if (const json::value* users = selector.if_contains("users")) {
      if (!add_room_targets(*users, user_room_prefix, parsed.targets)) return std::nullopt;
    } else if (const json::value* rooms = selector.if_contains("rooms")) {
      if (!add_room_targets(*rooms, "", parsed.targets)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }

  const json::value* event = request.if_contains("ev");
  if (!event || !event->is_string() || event->get_string().empty()) return std::nullopt;
  parsed.event = std::string(event->get_string());
  if (std::find(kReservedEvents.begin(), kReservedEvents.end(), parsed.event) != kReservedEvents.end()) return std::nullopt;

  if (const json::value* payload = request.if_contains("payload")) parsed.payload = *payload;

  if (const json::value* repeat = request.if_contains("repeat")) {
    if (repeat->is_int64() && repeat->get_int64() >= 0) parsed.repeat = static_cast<std::uint64_t>(repeat->get_int64());
    else if (repeat->is_uint64()) parsed.repeat = repeat->get_uint64();
    else return std::nullopt;
  }
  if (parsed.repeat > kMaxIssued || parsed.repeat * parsed.targets.size() > kMaxIssued) return std::nullopt;
  return parsed;
}

sio::Arguments reply(json::object body) {
  sio::Arguments arguments;
  arguments.values.emplace_back(std::move(body));
  return arguments;
}

}  // namespace

void install_bench_contract(sio::Gateway& gateway) {
  gateway.on_event("/", "bench:emit", [&gateway](sio::Socket& socket, sio::Arguments& arguments, sio::Ack& ack) {
    if (!is_admin(socket)) {
      ack(reply({{"error", "forbidden"}}));
      return;
    }
    const auto request = parse_request(arguments, gateway.options().user_room_prefix);
    if (!request) {
      ack(reply({{"error", "bad request"}}));
      return;
    }
    std::uint64_t issued = 0;
    const std::span<const json::value> payload(&request->payload, 1);
    for (std::uint64_t round = 0; round < request->repeat; ++round) {
      for (const auto& target : request->targets) {
        if (gateway.emit(target, request->event, payload)) ++issued;
      }
    }
    ack(reply({{"issued", issued}}));
  });
}

}  // namespace sg::server
