// Long-polling sessions: the held GET, batching of everything sent in one loop turn into a
// single payload, POST bodies reaching the listener (text and binary records), client
// close, the one-GET-at-a-time rule, refused POSTs (octet-stream, oversize), malformed
// packets, server close and the slow-client limit on the polling buffer.
#include "engine_harness.hpp"

#include <gtest/gtest.h>

namespace sg::eio {
namespace {

using testing::EngineHarness;

const std::string kBadRequest = R"({"code":3,"message":"Bad request"})";
const std::string kSessionIdUnknown = R"({"code":1,"message":"Session ID unknown"})";

TEST(PollingSession, HoldsTheGetUntilAPacketIsSent) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  harness.drain();
  EXPECT_FALSE(get->answered());

  harness.last_session().send(EncodedPacket::text("4hello"));
  harness.drain();
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->status, 200u);
  EXPECT_EQ(get->reply->content_type, "text/plain; charset=UTF-8");
  EXPECT_EQ(get->reply->body, "4hello");
  EXPECT_EQ(get->responses, 1);
}

TEST(PollingSession, SendsEverythingQueuedInOneLoopTurnInOneResponse) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  Session& session = harness.last_session();
  session.send(EncodedPacket::text("4a"));
  session.send(EncodedPacket::text("4b"));
  session.send(EncodedPacket::text("4c"));
  EXPECT_FALSE(get->answered()) << "the reply waits for the end of the loop turn";
  harness.drain();
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "4a\x1e" "4b\x1e" "4c");
}

TEST(PollingSession, AnswersAGetAtOnceWhenPacketsAreAlreadyBuffered) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  harness.last_session().send(EncodedPacket::text("4first"));
  harness.last_session().send(EncodedPacket::text("4second"));
  auto get = harness.get(sid);
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "4first\x1e" "4second");

  auto next = harness.get(sid);
  harness.drain();
  EXPECT_FALSE(next->answered()) << "the buffer was emptied by the first GET";
}

TEST(PollingSession, CarriesAtMostSixteenPacketsPerResponseAndTheRestOnTheNextGet) {
  // python-engineio's client refuses a payload of more than 16 packets.
  EngineHarness harness;
  const std::string sid = harness.handshake();
  for (int i = 0; i < 40; ++i) harness.last_session().send(EncodedPacket::text("4m" + std::to_string(i)));
  std::vector<std::string> received;
  for (int poll = 0; poll < 3; ++poll) {
    auto get = harness.get(sid);
    harness.drain();
    ASSERT_TRUE(get->answered());
    std::size_t records = 0;
    std::string_view body = get->reply->body;
    while (!body.empty()) {
      const auto end = body.find('\x1e');
      received.emplace_back(body.substr(0, end));
      ++records;
      body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    }
    EXPECT_LE(records, 16u);
  }
  ASSERT_EQ(received.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(received[i], "4m" + std::to_string(i));
}

TEST(PollingSession, SendsBinaryPacketsAsBase64Records) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  harness.last_session().send(EncodedPacket::text("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]"));
  harness.last_session().send(EncodedPacket::binary(std::string("\x01\x02\x03\x04", 4)));
  harness.drain();
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1e" "bAQIDBA==");
}

TEST(PollingSession, AnswersPostWithOkAndDeliversEachMessage) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto post = harness.post(sid, "4hello\x1e" "4world");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->status, 200u);
  EXPECT_EQ(post->reply->body, "ok");
  ASSERT_EQ(harness.listener.messages.size(), 2u);
  EXPECT_EQ(harness.listener.messages[0].data, "hello");
  EXPECT_FALSE(harness.listener.messages[0].binary);
  EXPECT_EQ(harness.listener.messages[1].data, "world");
}

TEST(PollingSession, DecodesBinaryRecordsOfAPost) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto post = harness.post(sid, "4text\x1e" "bAQIDBA==");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->body, "ok");
  ASSERT_EQ(harness.listener.messages.size(), 2u);
  EXPECT_EQ(harness.listener.messages[1].data, std::string("\x01\x02\x03\x04", 4));
  EXPECT_TRUE(harness.listener.messages[1].binary);
}

TEST(PollingSession, AcceptsThePythonClientsPlainTextContentType) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto post = harness.post(sid, "4x", "text/plain");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->status, 200u);
  EXPECT_EQ(harness.listener.messages.size(), 1u);
}

TEST(PollingSession, ClientCloseAnswersThePendingGetWithNoopAndEndsTheSession) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  harness.drain();
  ASSERT_FALSE(get->answered());

  auto post = harness.post(sid, "1");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->body, "ok");
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "6");
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::client_close});
  EXPECT_EQ(harness.engine.session_count(TransportKind::polling), 0);

  auto later = harness.get(sid);
  ASSERT_TRUE(later->answered());
  EXPECT_EQ(later->reply->status, 400u);
  EXPECT_EQ(later->reply->body, kSessionIdUnknown);
}

TEST(PollingSession, ASecondConcurrentGetIsRefusedAndTheFirstGetsClose) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto first = harness.get(sid);
  harness.drain();
  ASSERT_FALSE(first->answered());

  auto second = harness.get(sid);
  ASSERT_TRUE(second->answered());
  EXPECT_EQ(second->reply->status, 400u);
  EXPECT_EQ(second->reply->body, kBadRequest);
  ASSERT_TRUE(first->answered());
  EXPECT_EQ(first->reply->status, 200u);
  EXPECT_EQ(first->reply->body, "1");
  EXPECT_EQ(harness.listener.closes.size(), 1u);
  EXPECT_FALSE(harness.last_session().is_open());
}

TEST(PollingSession, RefusesAnOctetStreamPostAndClosesTheSession) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto post = harness.post(sid, "4hello", "application/octet-stream");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->status, 400u);
  EXPECT_EQ(post->reply->body, kBadRequest);
  EXPECT_TRUE(harness.listener.messages.empty());
  EXPECT_EQ(harness.listener.closes.size(), 1u);

  auto later = harness.get(sid);
  ASSERT_TRUE(later->answered());
  EXPECT_EQ(later->reply->body, kSessionIdUnknown);
}

TEST(PollingSession, RefusesAnOversizePostWith413AndKeepsTheSession) {
  EngineOptions options = testing::quiet_options();
  options.max_payload = 16;
  EngineHarness harness(options);
  const std::string sid = harness.handshake();

  auto exact = harness.post(sid, "4" + std::string(15, 'a'));  // exactly max_payload bytes
  ASSERT_TRUE(exact->answered());
  EXPECT_EQ(exact->reply->status, 200u);

  auto oversize = harness.post(sid, "4" + std::string(16, 'a'));
  ASSERT_TRUE(oversize->answered());
  EXPECT_EQ(oversize->reply->status, 413u);
  EXPECT_EQ(harness.listener.messages.size(), 1u) << "the oversize body is not delivered";
  EXPECT_TRUE(harness.listener.closes.empty());
  EXPECT_TRUE(harness.last_session().is_open());
}

TEST(PollingSession, AMalformedPacketClosesTheSessionButThePostIsAnsweredOk) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto post = harness.post(sid, "4before\x1e" "x-not-a-packet\x1e" "4after");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->status, 200u);
  EXPECT_EQ(post->reply->body, "ok");
  ASSERT_EQ(harness.listener.messages.size(), 1u) << "nothing after the bad record is delivered";
  EXPECT_EQ(harness.listener.messages[0].data, "before");
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});

  auto later = harness.get(sid);
  ASSERT_TRUE(later->answered());
  EXPECT_EQ(later->reply->body, kSessionIdUnknown);
}

TEST(PollingSession, BadBase64InABinaryRecordClosesTheSession) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  harness.post(sid, "b!!!!");
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});
}

TEST(PollingSession, AClientPingIsTheWrongHeartbeatDirectionAndCloses) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  harness.post(sid, "2");
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});
}

TEST(PollingSession, ServerCloseDeliversTheBufferThenACloseOnTheNextGet) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  Session& session = harness.last_session();
  session.send(EncodedPacket::text("4bye"));
  session.close(CloseReason::server_close);
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::server_close});
  EXPECT_FALSE(session.send(EncodedPacket::text("4too-late")));

  // The packets first, the close packet in the next response, so the client handles them
  // before its transport closes.
  auto get = harness.get(sid);
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "4bye");
  auto close = harness.get(sid);
  ASSERT_TRUE(close->answered());
  EXPECT_EQ(close->reply->body, "1");

  auto after = harness.get(sid);
  ASSERT_TRUE(after->answered());
  EXPECT_EQ(after->reply->body, kSessionIdUnknown);
}

TEST(PollingSession, ServerCloseAnswersAPendingGetWithCloseWhenNothingIsBuffered) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  harness.drain();
  harness.last_session().close(CloseReason::server_close);
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "1");
  auto after = harness.get(sid);
  EXPECT_EQ(after->reply->body, kSessionIdUnknown);
}

TEST(PollingSession, ServerCloseAnswersAPendingGetWithTheBufferAndKeepsCloseForTheNext) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  auto get = harness.get(sid);
  harness.drain();
  harness.last_session().send(EncodedPacket::text("441"));  // flush not yet run
  harness.last_session().close(CloseReason::server_close);
  ASSERT_TRUE(get->answered());
  EXPECT_EQ(get->reply->body, "441");
  auto close = harness.get(sid);
  ASSERT_TRUE(close->answered());
  EXPECT_EQ(close->reply->body, "1");
}

TEST(PollingSession, ASecondPostOverlappingTheFirstIsRefusedAndClosesTheSession) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  const std::string query = EngineHarness::polling_query(sid);
  harness.engine.polling_post_started(query);
  harness.engine.polling_post_started(query);  // a second POST's headers arrive before the first body
  auto post = harness.post(sid, "4hello");
  ASSERT_TRUE(post->answered());
  EXPECT_EQ(post->reply->status, 400u);
  EXPECT_EQ(post->reply->body, kBadRequest);
  EXPECT_TRUE(harness.listener.messages.empty());
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::parse_error});
}

TEST(PollingSession, PostsThatFollowEachOtherAreNotOverlapping) {
  EngineHarness harness;
  const std::string sid = harness.handshake();
  const std::string query = EngineHarness::polling_query(sid);
  harness.engine.polling_post_started(query);
  EXPECT_EQ(harness.post(sid, "4one")->reply->body, "ok");
  harness.engine.polling_post_started(query);
  harness.engine.polling_post_abandoned(query);  // the client gave up on this body
  harness.engine.polling_post_started(query);
  EXPECT_EQ(harness.post(sid, "4two")->reply->body, "ok");
  EXPECT_EQ(harness.listener.messages.size(), 2u);
  EXPECT_TRUE(harness.listener.closes.empty());
}

TEST(PollingSession, ClosesASlowClientWhoseBufferPassesTheLimitOnALaterTurn) {
  EngineOptions options = testing::quiet_options();
  options.max_queue_bytes = 20;
  EngineHarness harness(options);
  harness.handshake();
  Session& session = harness.last_session();

  EXPECT_TRUE(session.send(EncodedPacket::text("4" + std::string(9, 'a'))));   // 10 bytes
  EXPECT_TRUE(session.send(EncodedPacket::text("4" + std::string(9, 'b'))));   // 20: at the limit
  EXPECT_TRUE(session.is_open());
  EXPECT_TRUE(session.send(EncodedPacket::text("4c")));                        // 22: over it
  EXPECT_FALSE(session.is_open());
  EXPECT_TRUE(harness.listener.closes.empty()) << "the close is deferred to a later loop turn";
  EXPECT_FALSE(session.send(EncodedPacket::text("4dropped")));

  harness.drain();
  EXPECT_EQ(harness.listener.closes, std::vector<CloseReason>{CloseReason::slow_client});
  EXPECT_EQ(harness.engine.session_count(TransportKind::polling), 0);
}

}  // namespace
}  // namespace sg::eio
