// Fuzz target: Socket.IO packets through a real Gateway over long-polling, binary assembly
// included (src/sio ShardState::on_message, src/proto socket_packet_decoder and
// binary_placeholders, src/eio polling payloads). Each input opens an Engine.IO session and a
// Socket.IO socket on "/", then POSTs the input's lines ('\n'-separated) one by one as polling
// bodies — "451-[\"echo\",{\"_placeholder\":true,\"num\":0}]\x1ebAQID" is a binary event and its
// attachment — and reads the replies. "echo" acks its arguments and attachments back, so the
// encoder runs on what the decoder accepted. The session is closed at the end of each input.
//
// The Gateway runs on a one-shard pool that is never started: this thread plays the shard
// (tests/unit/sio/gateway_harness.hpp). Threading: libFuzzer's thread only.
#include "../unit/sio/gateway_harness.hpp"
#include "fuzz_support.hpp"

namespace {

using sg::sio::testing::GatewayHarness;
using sg::sio::testing::PollingClient;

GatewayHarness& harness() {
  static GatewayHarness* instance = [] {
    auto options = sg::sio::testing::quiet_options();
    options.namespaces = {"/", "/admin"};
    auto* made = new GatewayHarness(options);
    made->gateway.on_event("/", "echo", [](sg::sio::Socket&, sg::sio::Arguments& arguments, sg::sio::Ack& ack) {
      if (ack.wanted()) ack(arguments);
    });
    made->gateway.on_event("/admin", "echo", [](sg::sio::Socket&, sg::sio::Arguments& arguments, sg::sio::Ack& ack) {
      if (ack.wanted()) ack(arguments);
    });
    return made;
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sg::fuzz::as_text(data, size);
  GatewayHarness& gateway = harness();
  {
    PollingClient client(gateway);
    sg::fuzz::require(!client.engine_sid.empty(), "the handshake opens a session");
    client.connect();
    while (!input.empty()) {
      client.send(std::string(sg::fuzz::take_until(input, '\n')));
      client.receive();
    }
  }
  gateway.engine().close_all(sg::eio::CloseReason::transport_close);
  gateway.drain();
  sg::fuzz::require(gateway.engine().tracked_sessions() == 0, "every session is gone after close_all");
  return 0;
}
