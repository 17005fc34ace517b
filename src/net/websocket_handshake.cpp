// WebSocket opening handshake (see websocket_handshake.hpp). SHA-1 from OpenSSL.
// Threading: pure functions; any thread.
#include "websocket_handshake.hpp"

#include "proto/engine_packet.hpp"

#include <openssl/sha.h>

namespace sg::net {

std::optional<std::string> websocket_accept_key(const Request& request) {
  const auto key = request[boost::beast::http::field::sec_websocket_key];
  if (request[boost::beast::http::field::sec_websocket_version] != "13") return std::nullopt;
  const auto decoded = proto::decode_base64(std::string_view(key.data(), key.size()));
  if (!decoded || decoded->size() != 16) return std::nullopt;
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key.data(), key.size());
  input += kGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return proto::encode_base64(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string websocket_upgrade_response(const std::string& accept_key) {
  return "HTTP/1.1 101 Switching Protocols\r\n"
         "Upgrade: websocket\r\n"
         "Connection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         accept_key + "\r\n\r\n";
}

}  // namespace sg::net
