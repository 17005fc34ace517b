// Fuzz target: the cluster request decoder (src/cluster/request_message decode_request),
// which reads the JSON on the request and node channels: @socket.io/redis-emitter requests
// (socketsJoin, socketsLeave, disconnectSockets) and the questions and replies gateway nodes
// exchange. Input: one line naming the namespace the message arrived for, then the message.
// A sid question, user-sids question or reply that decodes is encoded again and must decode
// to the same fields.
//
// Threading: libFuzzer's thread only.
#include "../../src/cluster/request_message.hpp"
#include "fuzz_support.hpp"

namespace {

using sg::fuzz::require;
namespace cluster = sg::cluster;

cluster::Request decoded(std::string_view text, std::string_view nsp) {
  std::string error;
  auto request = cluster::decode_request(text, nsp, error);
  require(request.has_value(), "an encoded request decodes");
  return std::move(*request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sg::fuzz::as_text(data, size);
  const std::string_view nsp = sg::fuzz::take_until(input, '\n');
  std::string error;
  const auto request = cluster::decode_request(input, nsp, error);
  if (!request) {
    require(!error.empty(), "a refused request has a reason");
    return 0;
  }
  if (const auto* selection = std::get_if<cluster::SelectionRequest>(&*request)) {
    require(selection->selection.nsp == nsp, "a selection keeps its namespace");
  } else if (const auto* question = std::get_if<cluster::SidQuestion>(&*request)) {
    const auto back = decoded(cluster::encode_sid_question(question->request, question->id, question->from, question->anywhere), nsp);
    const auto* same = std::get_if<cluster::SidQuestion>(&back);
    require(same && same->id == question->id && same->from == question->from && same->anywhere == question->anywhere &&
                same->request.sid == question->request.sid && same->request.room == question->request.room &&
                same->request.kind == question->request.kind,
            "a sid question round-trips");
  } else if (const auto* user = std::get_if<cluster::UserSidsQuestion>(&*request)) {
    const auto back = decoded(cluster::encode_user_sids_question(user->user_id, user->id, user->from), nsp);
    const auto* same = std::get_if<cluster::UserSidsQuestion>(&back);
    require(same && same->user_id == user->user_id && same->id == user->id && same->from == user->from,
            "a user-sids question round-trips");
  } else if (const auto* reply = std::get_if<cluster::Reply>(&*request)) {
    const auto back = decoded(cluster::encode_reply(*reply), nsp);
    const auto* same = std::get_if<cluster::Reply>(&back);
    require(same && same->id == reply->id && same->found == reply->found && same->rooms == reply->rooms &&
                same->sids == reply->sids,
            "a reply round-trips");
  }
  return 0;
}
