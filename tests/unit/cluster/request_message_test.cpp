// Requests between nodes and from @socket.io/redis-emitter: decoding each kind, round trips
// of our own questions and replies, and refusal of bad JSON.
#include "../../../src/cluster/request_message.hpp"
#include "../../../src/cluster/redis_endpoint.hpp"

#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

Request decoded(std::string_view text) {
  std::string error;
  auto request = decode_request(text, "/", error);
  EXPECT_TRUE(request.has_value()) << error;
  return request.value_or(IgnoredRequest{});
}

TEST(RequestMessage, EmitterSocketsJoin) {
  const auto request = decoded(R"({"type":2,"opts":{"rooms":["a"],"except":["b"]},"rooms":["c","d"]})");
  const auto& selection = std::get<SelectionRequest>(request);
  EXPECT_EQ(selection.selection.rooms, std::vector<std::string>{"a"});
  EXPECT_EQ(selection.selection.except_rooms, std::vector<std::string>{"b"});
  EXPECT_EQ(selection.action.kind, sio::SelectionAction::Kind::join);
  EXPECT_EQ(selection.action.rooms, (std::vector<std::string>{"c", "d"}));
}

TEST(RequestMessage, EmitterDisconnectAndIgnoredKinds) {
  const auto request = decoded(R"({"type":4,"opts":{"rooms":[],"except":[]},"close":true})");
  EXPECT_EQ(std::get<SelectionRequest>(request).action.kind, sio::SelectionAction::Kind::disconnect);
  EXPECT_TRUE(std::holds_alternative<IgnoredRequest>(decoded(R"({"uid":"emitter","type":6,"data":[1]})")));
}

TEST(RequestMessage, OurQuestionsAndRepliesRoundTrip) {
  const auto question = decoded(encode_sid_question({sio::SidRequest::Kind::leave, "B-sid", "r"}, 7, "A"));
  const auto& sid = std::get<SidQuestion>(question);
  EXPECT_EQ(sid.id, 7u);
  EXPECT_EQ(sid.from, "A");
  EXPECT_EQ(sid.request.kind, sio::SidRequest::Kind::leave);
  EXPECT_EQ(sid.request.room, "r");
  const auto user = std::get<UserSidsQuestion>(decoded(encode_user_sids_question("u1", 9, "A")));
  EXPECT_EQ(user.user_id, "u1");
  const auto reply = std::get<Reply>(decoded(encode_reply(Reply{9, true, false, {"r"}, {"s1", "s2"}})));
  EXPECT_TRUE(reply.found);
  EXPECT_FALSE(reply.refused);
  EXPECT_EQ(reply.sids, (std::vector<std::string>{"s1", "s2"}));
  const auto refused = std::get<Reply>(decoded(encode_reply(Reply{10, true, true, {}, {}})));
  EXPECT_TRUE(refused.found);
  EXPECT_TRUE(refused.refused);
}

TEST(RequestMessage, RefusesBadInput) {
  std::string error;
  EXPECT_FALSE(decode_request("{not json", "/", error));
  EXPECT_FALSE(decode_request("[1]", "/", error));
  EXPECT_FALSE(decode_request(R"({"rooms":[]})", "/", error));
  EXPECT_FALSE(decode_request(R"({"type":2,"opts":{"rooms":[1]}})", "/", error));
  EXPECT_FALSE(decode_request(R"({"type":"sid","op":"explode","sid":"a-b","id":1,"from":"A"})", "/", error));
  EXPECT_FALSE(decode_request(R"({"type":"reply"})", "/", error));
  // Without opts a request would select every socket of the cluster.
  EXPECT_FALSE(decode_request(R"({"type":4,"close":true})", "/", error));
  EXPECT_FALSE(decode_request(R"({"type":2,"rooms":["x"]})", "/", error));
  EXPECT_FALSE(decode_request(R"({"type":2,"opts":{"rooms":"r"},"rooms":["x"]})", "/", error));
}

TEST(RedisEndpoint, ParsesUrls) {
  std::string error;
  auto plain = parse_redis_url("redis://127.0.0.1:6390", error);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, 6390);
  auto full = parse_redis_url("redis://user:p%40ss@cache.internal/3", error);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->host, "cache.internal");
  EXPECT_EQ(full->port, 6379);
  EXPECT_EQ(full->user, "user");
  EXPECT_EQ(full->password, "p@ss");
  EXPECT_EQ(full->database, 3);
  EXPECT_FALSE(parse_redis_url("http://x", error));
  EXPECT_FALSE(parse_redis_url("redis://x:notaport", error));
  EXPECT_FALSE(parse_redis_url("redis://x/db", error));
}

}  // namespace
}  // namespace sg::cluster
