// Engine.IO handshakes and the HTTP error replies of the engine: the exact open packet of
// a polling handshake, and the code/message/status of every refused request, in the order
// the protocol checks them (PROTOCOL.md §2.1, "Error responses").
#include "engine_harness.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sg::eio {
namespace {

using testing::EngineHarness;
using testing::open_packet_object;

TEST(EngineHandshake, PollingHandshakeRepliesWithTheFiveOpenKeys) {
  EngineOptions options = testing::quiet_options();
  options.ping_interval = std::chrono::milliseconds(25000);
  options.ping_timeout = std::chrono::milliseconds(20000);
  options.max_payload = 123456;
  EngineHarness harness(options);

  auto exchange = harness.request("GET", "EIO=4&transport=polling&t=N8hyd6w");
  ASSERT_TRUE(exchange->answered());
  EXPECT_EQ(exchange->reply->status, 200u);
  EXPECT_EQ(exchange->reply->content_type, "text/plain; charset=UTF-8");
  ASSERT_EQ(exchange->reply->body.front(), '0');

  const auto open = open_packet_object(exchange->reply->body);
  std::set<std::string> keys;
  for (const auto& entry : open) keys.insert(std::string(entry.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}));
  ASSERT_TRUE(open.at("sid").is_string());
  EXPECT_FALSE(open.at("sid").as_string().empty());
  EXPECT_EQ(open.at("upgrades"), boost::json::parse(R"(["websocket"])"));
  EXPECT_EQ(open.at("pingInterval"), 25000);
  EXPECT_EQ(open.at("pingTimeout"), 20000);
  EXPECT_EQ(open.at("maxPayload"), 123456);
}

TEST(EngineHandshake, AdvertisesNoUpgradesWhenUpgradesAreDisabled) {
  EngineOptions options = testing::quiet_options();
  options.allow_upgrades = false;
  EngineHarness harness(options);
  auto exchange = harness.request("GET", "EIO=4&transport=polling");
  ASSERT_TRUE(exchange->answered());
  EXPECT_EQ(open_packet_object(exchange->reply->body).at("upgrades"), boost::json::array());
}

TEST(EngineHandshake, OpensASessionAndTellsTheListener) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  ASSERT_EQ(harness.listener.opened.size(), 1u);
  EXPECT_EQ(harness.last_session().sid(), sid);
  EXPECT_EQ(harness.last_session().transport(), TransportKind::polling);
  EXPECT_EQ(harness.last_session().handshake().query, "EIO=4&transport=polling");
  EXPECT_EQ(harness.engine.session_count(TransportKind::polling), 1);
  EXPECT_EQ(harness.engine.session_count(TransportKind::websocket), 0);
}

TEST(EngineHandshake, GivesEachSessionItsOwnSid) {
  EngineHarness harness;
  const std::string first = harness.handshake();
  const std::string second = harness.handshake();
  EXPECT_NE(first, second);
  EXPECT_EQ(harness.engine.session_count(TransportKind::polling), 2);
}

// ---- error replies ------------------------------------------------------------------

struct ExpectedError {
  std::string method;
  std::string query;
  unsigned status;
  std::string body;
};

void expect_error(EngineHarness& harness, const ExpectedError& expected) {
  auto exchange = harness.request(expected.method, expected.query);
  ASSERT_TRUE(exchange->answered()) << expected.method << " " << expected.query;
  EXPECT_EQ(exchange->responses, 1);
  EXPECT_EQ(exchange->reply->status, expected.status) << expected.method << " " << expected.query;
  EXPECT_EQ(exchange->reply->content_type, "application/json") << expected.query;
  EXPECT_EQ(exchange->reply->body, expected.body) << expected.method << " " << expected.query;
}

const std::string kTransportUnknown = R"({"code":0,"message":"Transport unknown"})";
const std::string kSessionIdUnknown = R"({"code":1,"message":"Session ID unknown"})";
const std::string kBadHandshakeMethod = R"({"code":2,"message":"Bad handshake method"})";
const std::string kBadRequest = R"({"code":3,"message":"Bad request"})";
const std::string kUnsupportedVersion = R"({"code":5,"message":"Unsupported protocol version"})";

TEST(EngineErrors, RefusesMissingOrUnknownTransportWithCode0) {
  EngineHarness harness;
  expect_error(harness, {"GET", "EIO=4", 400, kTransportUnknown});
  expect_error(harness, {"GET", "EIO=4&transport=abc", 400, kTransportUnknown});
  expect_error(harness, {"GET", "", 400, kTransportUnknown});
}

TEST(EngineErrors, RefusesUnknownSidWithCode1) {
  EngineHarness harness;
  expect_error(harness, {"GET", "EIO=4&transport=polling&sid=does-not-exist", 400, kSessionIdUnknown});
  expect_error(harness, {"POST", "EIO=4&transport=polling&sid=does-not-exist", 400, kSessionIdUnknown});
}

TEST(EngineErrors, RefusesHandshakeWithAMethodOtherThanGetWithCode2) {
  EngineHarness harness;
  expect_error(harness, {"POST", "EIO=4&transport=polling", 400, kBadHandshakeMethod});
  expect_error(harness, {"PUT", "EIO=4&transport=polling", 400, kBadHandshakeMethod});
  EXPECT_TRUE(harness.listener.opened.empty());
}

TEST(EngineErrors, RefusesWebSocketTransportOverPlainHttpWithCode3) {
  EngineHarness harness;
  expect_error(harness, {"GET", "EIO=4&transport=websocket", 400, kBadRequest});
}

TEST(EngineErrors, RefusesPollingWithTheSidOfAWebSocketSessionWithCode3) {
  EngineHarness harness;
  auto peer = std::make_shared<testing::FakeWebSocketPeer>();
  auto session = harness.engine.accept_websocket("EIO=4&transport=websocket", {}, peer);
  ASSERT_TRUE(session);
  expect_error(harness, {"GET", EngineHarness::polling_query(session->sid()), 400, kBadRequest});
  expect_error(harness, {"POST", EngineHarness::polling_query(session->sid()), 400, kBadRequest});
}

TEST(EngineErrors, RefusesMissingOrWrongProtocolVersionWithCode5) {
  EngineHarness harness;
  expect_error(harness, {"GET", "transport=polling", 400, kUnsupportedVersion});
  expect_error(harness, {"GET", "EIO=abc&transport=polling", 400, kUnsupportedVersion});
  expect_error(harness, {"GET", "EIO=3&transport=polling", 400, kUnsupportedVersion});
  EXPECT_TRUE(harness.listener.opened.empty());
}

TEST(EngineErrors, ErrorReplyUses403OnlyForForbidden) {
  const HttpReply forbidden = error_reply(EngineError::forbidden);
  EXPECT_EQ(forbidden.status, 403u);
  EXPECT_EQ(forbidden.body, R"({"code":4,"message":"Forbidden"})");
  EXPECT_EQ(error_reply(EngineError::bad_request).status, 400u);
}

TEST(EngineErrors, AnswersOtherMethodsOnAKnownSidWith500AndAnEmptyBody) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto exchange = harness.request("PUT", EngineHarness::polling_query(sid));
  ASSERT_TRUE(exchange->answered());
  EXPECT_EQ(exchange->reply->status, 500u);
  EXPECT_EQ(exchange->reply->body, "");
}

TEST(EngineErrors, ChecksWebSocketUpgradeRequestsBeforeThe101) {
  EngineHarness harness;
  EXPECT_FALSE(harness.engine.check_websocket("EIO=4&transport=websocket"));

  auto unknown_transport = harness.engine.check_websocket("EIO=4&transport=abc");
  ASSERT_TRUE(unknown_transport);
  EXPECT_EQ(unknown_transport->body, kTransportUnknown);

  auto unknown_sid = harness.engine.check_websocket("EIO=4&transport=websocket&sid=nope");
  ASSERT_TRUE(unknown_sid);
  EXPECT_EQ(unknown_sid->body, kSessionIdUnknown);

  auto wrong_version = harness.engine.check_websocket("EIO=3&transport=websocket");
  ASSERT_TRUE(wrong_version);
  EXPECT_EQ(wrong_version->body, kUnsupportedVersion);

  const std::string sid = harness.handshake();
  EXPECT_FALSE(harness.engine.check_websocket(EngineHarness::websocket_query(sid)));
}

}  // namespace
}  // namespace sg::eio
