// Socket.IO events and acks through the Gateway: handlers receive the arguments without
// the event name, client-requested acks go back as 43<id>[...] (once), binary events are
// assembled from their attachments (in one POST or across several), binary acks, server
// emits to one socket with an ack callback, and the protocol errors that close the whole
// Engine.IO session.
#include "gateway_harness.hpp"

#include <gtest/gtest.h>

namespace sg::sio {
namespace {

using testing::GatewayHarness;
using testing::PollingClient;

struct SeenEvent {
  std::string socket_id;
  boost::json::array values;
  std::vector<std::string> attachments;
  bool ack_wanted = false;
};

struct EventsTest : ::testing::Test {
  EventsTest() {
    harness.gateway.on_event("/", "record", [this](Socket& socket, Arguments& arguments, Ack& ack) {
      seen.push_back({socket.id(), arguments.values, arguments.attachments, ack.wanted()});
    });
  }
  bool session_open() const { return harness.gateway.session_count(eio::TransportKind::polling) == 1; }

  GatewayHarness harness;
  std::vector<SeenEvent> seen;
};

TEST_F(EventsTest, HandlerReceivesTheArgumentsWithoutTheEventName) {
  PollingClient client(harness);
  const std::string sid = client.connect();
  client.send(R"(42["record",1,"two",{"three":[3]}])");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].socket_id, sid);
  EXPECT_EQ(seen[0].values, boost::json::parse(R"([1,"two",{"three":[3]}])").as_array());
  EXPECT_TRUE(seen[0].attachments.empty());
  EXPECT_FALSE(seen[0].ack_wanted);
}

TEST_F(EventsTest, EventsWithoutAHandlerAreIgnored) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(42["nobody-listens",1])");
  EXPECT_TRUE(seen.empty());
  EXPECT_TRUE(session_open());
}

TEST_F(EventsTest, AckReturnsTheReplyWithTheEventsId) {
  harness.gateway.on_event("/", "echo", [](Socket&, Arguments& arguments, Ack& ack) {
    EXPECT_TRUE(ack.wanted());
    ack(Arguments{arguments.values, {}});
    EXPECT_FALSE(ack.wanted());
    ack(Arguments{boost::json::array{"second call"}, {}});  // ignored
  });
  PollingClient client(harness);
  client.connect();
  client.send(R"(4217["echo","hello",2])");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(4317["hello",2])"});
  EXPECT_EQ(client.receive(), std::vector<std::string>{}) << "the ack is sent once";
}

TEST_F(EventsTest, AckMayBeCalledAfterTheHandlerReturned) {
  Ack kept;
  harness.gateway.on_event("/", "later", [&kept](Socket&, Arguments&, Ack& ack) { kept = ack; });
  PollingClient client(harness);
  client.connect();
  client.send(R"(423["later"])");
  EXPECT_EQ(client.receive(), std::vector<std::string>{});
  kept(Arguments{boost::json::array{}, {}});
  EXPECT_EQ(client.receive(), std::vector<std::string>{"433[]"});
}

TEST_F(EventsTest, AckOnANamespaceCarriesTheNamespace) {
  GatewayOptions options = testing::quiet_options();
  options.namespaces = {"/admin"};
  GatewayHarness admin_harness(options);
  admin_harness.gateway.on_event("/admin", "echo", [](Socket&, Arguments& arguments, Ack& ack) {
    ack(Arguments{arguments.values, {}});
  });
  PollingClient client(admin_harness);
  ASSERT_FALSE(client.connect("/admin").empty());
  client.send(R"(42/admin,5["echo","x"])");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(43/admin,5["x"])"});
}

TEST_F(EventsTest, AssemblesABinaryEventFromItsAttachments) {
  PollingClient client(harness);
  client.connect();
  client.send("452-[\"record\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]\x1e"
              "bAQID\x1e" "b/w==");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].values,
            boost::json::parse(R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])").as_array());
  EXPECT_EQ(seen[0].attachments, (std::vector<std::string>{std::string("\x01\x02\x03", 3), "\xff"}));
  EXPECT_TRUE(session_open());
}

TEST_F(EventsTest, AssemblesABinaryEventWhoseAttachmentsArriveInLaterPosts) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(451-["record",{"_placeholder":true,"num":0}])");
  EXPECT_TRUE(seen.empty()) << "the event waits for its attachment";
  client.send("bAQID");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].attachments, std::vector<std::string>{std::string("\x01\x02\x03", 3)});
}

TEST_F(EventsTest, ABinaryEventWithZeroAttachmentsIsDispatchedAtOnce) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(450-["record","plain"])");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].values, boost::json::array{"plain"});
}

TEST_F(EventsTest, AnAckWithAttachmentsIsSentAsABinaryAck) {
  harness.gateway.on_event("/", "file", [](Socket&, Arguments&, Ack& ack) {
    ack(Arguments{boost::json::parse(R"([{"_placeholder":true,"num":0}])").as_array(), {std::string("\x01\x02\x03", 3)}});
  });
  PollingClient client(harness);
  client.connect();
  client.send(R"(429["file"])");
  EXPECT_EQ(client.receive(), (std::vector<std::string>{R"(461-9[{"_placeholder":true,"num":0}])", "bAQID"}));
}

TEST_F(EventsTest, ServerEmitWithAnAckCallbackGetsTheClientsReply) {
  std::vector<boost::json::array> replies;
  harness.gateway.on_event("/", "ask-me", [&replies](Socket& socket, Arguments&, Ack&) {
    socket.emit("question", Arguments{boost::json::array{"why?"}, {}},
                [&replies](Arguments& reply) { replies.push_back(reply.values); });
  });
  PollingClient client(harness);
  client.connect();
  client.send(R"(42["ask-me"])");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(420["question","why?"])"});

  client.send(R"(43999["unknown id"])");
  EXPECT_TRUE(replies.empty()) << "an ack with an unknown id is ignored";
  EXPECT_TRUE(session_open());

  client.send(R"(430["because"])");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], boost::json::array{"because"});
  client.send(R"(430["again"])");
  EXPECT_EQ(replies.size(), 1u) << "a second ack for the same id is ignored";
}

TEST_F(EventsTest, AClientBinaryAckReachesTheCallbackWithItsAttachments) {
  std::vector<Arguments> replies;
  harness.gateway.on_event("/", "ask-me", [&replies](Socket& socket, Arguments&, Ack&) {
    socket.emit("send-me-bytes", Arguments{}, [&replies](Arguments& reply) { replies.push_back(reply); });
  });
  PollingClient client(harness);
  client.connect();
  client.send(R"(42["ask-me"])");
  EXPECT_EQ(client.receive(), std::vector<std::string>{R"(420["send-me-bytes"])"});
  client.send("461-0[{\"_placeholder\":true,\"num\":0}]\x1e" "bAQID");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].values, boost::json::parse(R"([{"_placeholder":true,"num":0}])").as_array());
  EXPECT_EQ(replies[0].attachments, std::vector<std::string>{std::string("\x01\x02\x03", 3)});
}

TEST_F(EventsTest, ServerEmitWithAttachmentsIsABinaryEvent) {
  harness.gateway.on_event("/", "send-file", [](Socket& socket, Arguments&, Ack&) {
    socket.emit("file", Arguments{boost::json::parse(R"([{"_placeholder":true,"num":0}])").as_array(),
                                  {std::string("\x01\x02\x03\x04", 4)}});
  });
  PollingClient client(harness);
  client.connect();
  client.send(R"(42["send-file"])");
  EXPECT_EQ(client.receive(),
            (std::vector<std::string>{R"(451-["file",{"_placeholder":true,"num":0}])", "bAQIDBA=="}));
}

// ---- protocol errors close the Engine.IO session ---------------------------------------

TEST_F(EventsTest, AnEventBeforeConnectClosesTheSession) {
  PollingClient client(harness);
  client.send(R"(42["record"])");
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(session_open());
}

TEST_F(EventsTest, TextWhileAttachmentsAreExpectedClosesTheSession) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(451-["record",{"_placeholder":true,"num":0}])");
  client.send(R"(42["record"])");
  EXPECT_TRUE(seen.empty());
  EXPECT_FALSE(session_open());
}

TEST_F(EventsTest, ABinaryMessageWithNoHeaderPendingClosesTheSession) {
  PollingClient client(harness);
  client.connect();
  client.send("bAQID");
  EXPECT_FALSE(session_open());
}

TEST_F(EventsTest, AnUndecodablePacketClosesTheSession) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(42abc["record"])");
  EXPECT_FALSE(session_open());
}

TEST_F(EventsTest, AReservedEventNameClosesTheSession) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(42["disconnect"])");
  EXPECT_FALSE(session_open());
}

TEST_F(EventsTest, AClientConnectErrorClosesTheSession) {
  PollingClient client(harness);
  client.connect();
  client.send(R"(44{"message":"no"})");
  EXPECT_FALSE(session_open());
  EXPECT_EQ(harness.gateway.metrics().sockets.load(), 0);
}

}  // namespace
}  // namespace sg::sio
