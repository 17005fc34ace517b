// The Engine.IO echo app (see apps.hpp).
// Threading: the session's shard thread.
#include "apps.hpp"

namespace sg::conformance {

void EchoListener::on_message(eio::Session& session, std::string_view data, bool binary) {
  if (binary) {
    session.send(EncodedPacket::binary(data));
    return;
  }
  std::string packet = "4";
  packet.append(data);
  session.send(EncodedPacket::text(packet));
}

}  // namespace sg::conformance
