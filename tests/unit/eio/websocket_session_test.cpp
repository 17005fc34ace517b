// Sessions opened directly over WebSocket: the open packet with no upgrades, messages in
// both directions, malformed packets and client pings, client/transport/server close, and
// the slow-client limit measured on the peer's queue. The upgrade from polling is in
// upgrade_test.cpp.
#include "engine_harness.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sg::eio {
namespace {

using testing::EngineHarness;
using testing::FakeWebSocketPeer;
using testing::open_packet_object;

struct WebSocketSessionTest : ::testing::Test {
  std::shared_ptr<Session> open_websocket() {
    return harness.engine.accept_websocket("EIO=4&transport=websocket", {}, peer);
  }
  EngineHarness harness;
  std::shared_ptr<FakeWebSocketPeer> peer = std::make_shared<FakeWebSocketPeer>();
};

TEST_F(WebSocketSessionTest, FirstFrameIsTheOpenPacketWithNoUpgrades) {
  auto session = open_websocket();
  ASSERT_TRUE(session);
  ASSERT_EQ(peer->sent.size(), 1u);
  const std::string open = peer->sent_payloads()[0];
  ASSERT_EQ(open.front(), '0');
  EXPECT_FALSE(peer->sent[0]->is_binary());
  const auto object = open_packet_object(open);
  std::set<std::string> keys;
  for (const auto& entry : object) keys.insert(std::string(entry.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}));
  EXPECT_EQ(object.at("sid").as_string(), session->sid());
  EXPECT_EQ(object.at("upgrades"), boost::json::array());
  EXPECT_EQ(session->transport(), TransportKind::websocket);
  EXPECT_EQ(harness.listener.opened.size(), 1u);
  EXPECT_EQ(harness.engine.session_count(TransportKind::websocket), 1);
}

TEST_F(WebSocketSessionTest, DeliversTextAndBinaryMessagesToTheListener) {
  auto session = open_websocket();
  session->on_websocket_message(peer.get(), "4hello", false);
  session->on_websocket_message(peer.get(), std::string("\x00\xff", 2), true);
  ASSERT_EQ(harness.listener.messages.size(), 2u);
  EXPECT_EQ(harness.listener.messages[0].data, "hello");
  EXPECT_FALSE(harness.listener.messages[0].binary);
  EXPECT_EQ(harness.listener.messages[1].data, std::string("\x00\xff", 2));
  EXPECT_TRUE(harness.listener.messages[1].binary);
}

TEST_F(WebSocketSessionTest, SendsApplicationPacketsStraightToThePeer) {
  auto session = open_websocket();
  EXPECT_TRUE(session->send(EncodedPacket::text("4hi")));
  EXPECT_TRUE(session->send(EncodedPacket::binary("raw")));
  ASSERT_EQ(peer->sent.size(), 3u);
  EXPECT_EQ(peer->sent_payloads()[1], "4hi");
  EXPECT_EQ(peer->sent_payloads()[2], "raw");
  EXPECT_TRUE(peer->sent[2]->is_binary());
}

TEST_F(WebSocketSessionTest, AnInvalidPacketClosesTheSession) {
  auto session = open_websocket();
  session->on_websocket_message(peer.get(), "x", false);
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});
  EXPECT_EQ(peer->close_calls, 1);
  EXPECT_EQ(harness.engine.session_count(TransportKind::websocket), 0);
}

TEST_F(WebSocketSessionTest, AnEmptyTextMessageClosesTheSession) {
  auto session = open_websocket();
  session->on_websocket_message(peer.get(), "", false);
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});
}

TEST_F(WebSocketSessionTest, AClientPingClosesTheSession) {
  auto session = open_websocket();
  session->on_websocket_message(peer.get(), "2", false);
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});
}

TEST_F(WebSocketSessionTest, ClientCloseEndsTheSession) {
  auto session = open_websocket();
  session->on_websocket_message(peer.get(), "1", false);
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::client_close});
  EXPECT_EQ(peer->close_calls, 1);
}

TEST_F(WebSocketSessionTest, TransportCloseEndsTheSessionWithoutClosingThePeerAgain) {
  auto session = open_websocket();
  session->on_websocket_closed(peer.get());
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::transport_close});
  EXPECT_EQ(peer->close_calls, 0);
  EXPECT_TRUE(harness.engine.check_websocket(EngineHarness::websocket_query(session->sid())).has_value())
      << "the sid is forgotten";
}

TEST_F(WebSocketSessionTest, ServerCloseFlushesThePeerFirst) {
  auto session = open_websocket();
  session->close(CloseReason::server_close);
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::server_close});
  ASSERT_EQ(peer->close_calls, 1);
  EXPECT_EQ(peer->closed_with_flush, true);
}

TEST_F(WebSocketSessionTest, ClosesASlowClientOnALaterLoopTurnWithoutFlushing) {
  EngineOptions options = testing::quiet_options();
  options.max_queue_bytes = 256;
  EngineHarness slow_harness(options);
  auto slow_peer = std::make_shared<FakeWebSocketPeer>();
  auto session = slow_harness.engine.accept_websocket("EIO=4&transport=websocket", {}, slow_peer);
  ASSERT_TRUE(session);
  slow_peer->mark_written();  // the open packet has left

  const std::string hundred_bytes = "4" + std::string(99, 'x');
  EXPECT_TRUE(session->send(EncodedPacket::text(hundred_bytes)));
  EXPECT_TRUE(session->send(EncodedPacket::text(hundred_bytes)));
  EXPECT_TRUE(session->is_open());
  EXPECT_TRUE(session->send(EncodedPacket::text(hundred_bytes)));  // 300 queued > 256
  EXPECT_FALSE(session->is_open());
  EXPECT_TRUE(slow_harness.listener.closes.empty()) << "closing waits for a later loop turn";
  EXPECT_EQ(slow_peer->close_calls, 0);
  EXPECT_FALSE(session->send(EncodedPacket::text("4dropped")));
  EXPECT_EQ(slow_peer->sent.size(), 4u);

  slow_harness.drain();
  EXPECT_EQ(slow_harness.listener.closes, std::vector<CloseReason>{CloseReason::slow_client});
  ASSERT_EQ(slow_peer->close_calls, 1);
  EXPECT_EQ(slow_peer->closed_with_flush, false);
}

TEST_F(WebSocketSessionTest, AWriterThatKeepsUpIsNeverASlowClient) {
  EngineOptions options = testing::quiet_options();
  options.max_queue_bytes = 256;
  EngineHarness fast_harness(options);
  auto fast_peer = std::make_shared<FakeWebSocketPeer>();
  auto session = fast_harness.engine.accept_websocket("EIO=4&transport=websocket", {}, fast_peer);
  for (int i = 0; i < 20; ++i) {
    fast_peer->mark_written();
    ASSERT_TRUE(session->send(EncodedPacket::text("4" + std::string(99, 'x'))));
  }
  fast_harness.drain();
  EXPECT_TRUE(session->is_open());
  EXPECT_TRUE(fast_harness.listener.closes.empty());
}

}  // namespace
}  // namespace sg::eio
