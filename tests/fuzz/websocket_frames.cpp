// Fuzz target: the WebSocket frame reader (src/net/websocket_frame_reader), which parses
// every byte a WebSocket client sends. Input: one byte choosing the message size limit, one
// byte choosing how the stream arrives (all at once, or in reads of 1..255 bytes), then the
// client's byte stream. The events are read after each feed as a connection does; the same
// stream fed all at once must give exactly the same events, text messages must be valid
// UTF-8, and nothing may follow an error.
//
// Threading: libFuzzer's thread only.
#include "../../src/net/websocket_frame_reader.hpp"
#include "fuzz_support.hpp"
#include "util/utf8.hpp"

#include <string>
#include <vector>

namespace {

using sg::fuzz::require;
using sg::net::WebSocketEvent;
using sg::net::WebSocketFrameReader;

struct SeenEvent {
  WebSocketEvent::Kind kind;
  std::string payload;
  std::uint16_t close_code;
  bool operator==(const SeenEvent&) const = default;
};

// Reads every event available now; false once the reader reported an error.
bool drain(WebSocketFrameReader& reader, std::vector<SeenEvent>& seen) {
  for (;;) {
    const WebSocketEvent event = reader.next();
    if (event.kind == WebSocketEvent::Kind::none) return true;
    if (event.kind == WebSocketEvent::Kind::text) require(sg::is_valid_utf8(event.payload), "text is UTF-8");
    if (event.kind == WebSocketEvent::Kind::ping || event.kind == WebSocketEvent::Kind::pong)
      require(event.payload.size() <= 125, "control payloads are small");
    seen.push_back({event.kind, std::string(event.payload), event.close_code});
    if (event.kind == WebSocketEvent::Kind::error) {
      require(reader.next().kind == WebSocketEvent::Kind::none, "nothing follows an error");
      return false;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = sg::fuzz::as_text(data, size);
  const std::size_t max_message = std::size_t{1} << (sg::fuzz::take_byte(input) % 21);
  const std::size_t read_size = sg::fuzz::take_byte(input);

  std::vector<SeenEvent> chunked;
  WebSocketFrameReader reader(max_message);
  for (std::string_view rest = input; !rest.empty();) {
    const std::size_t take = read_size == 0 ? rest.size() : std::min(read_size, rest.size());
    reader.feed(rest.substr(0, take));
    rest.remove_prefix(take);
    if (!drain(reader, chunked)) break;
  }

  std::vector<SeenEvent> whole;
  WebSocketFrameReader whole_reader(max_message);
  whole_reader.feed(input);
  drain(whole_reader, whole);
  require(chunked == whole, "the events do not depend on how the bytes arrive");
  return 0;
}
