// The server side of the WebSocket opening handshake: Sec-WebSocket-Accept for the RFC 6455
// example key, refusal of wrong versions and ill-formed keys, and the 101 response text.
#include "../../../src/net/websocket_handshake.hpp"

#include <gtest/gtest.h>

namespace sg::net {
namespace {

Request upgrade_request(std::string_view key, std::string_view version = "13") {
  Request request{boost::beast::http::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
  request.set(boost::beast::http::field::upgrade, "websocket");
  request.set(boost::beast::http::field::connection, "Upgrade");
  if (!key.empty()) request.set(boost::beast::http::field::sec_websocket_key, key);
  if (!version.empty()) request.set(boost::beast::http::field::sec_websocket_version, version);
  return request;
}

TEST(WebSocketHandshake, ComputesTheAcceptKeyOfTheRfcExample) {
  // RFC 6455 §1.3.
  const auto accept = websocket_accept_key(upgrade_request("dGhlIHNhbXBsZSBub25jZQ=="));
  ASSERT_TRUE(accept);
  EXPECT_EQ(*accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, RefusesAVersionOtherThan13) {
  EXPECT_FALSE(websocket_accept_key(upgrade_request("dGhlIHNhbXBsZSBub25jZQ==", "8")));
  EXPECT_FALSE(websocket_accept_key(upgrade_request("dGhlIHNhbXBsZSBub25jZQ==", "")));
}

TEST(WebSocketHandshake, RefusesAMissingOrIllFormedKey) {
  EXPECT_FALSE(websocket_accept_key(upgrade_request("")));
  EXPECT_FALSE(websocket_accept_key(upgrade_request("not base64!")));
  EXPECT_FALSE(websocket_accept_key(upgrade_request("c2hvcnQ=")));  // decodes to 5 bytes, not 16
}

TEST(WebSocketHandshake, Writes101WithTheAcceptKey) {
  const std::string response = websocket_upgrade_response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_TRUE(response.ends_with("\r\n\r\n"));
}

}  // namespace
}  // namespace sg::net
