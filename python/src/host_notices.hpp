// The native host's notices for the Python loop: what happened to each forwarded exchange
// (net/forwarding.hpp's ExchangeListener calls, as values). They travel through their own
// WakeupQueue, apart from the core's notices, and become tuples on the loop thread
// (host_bindings.cpp); socket_gateway/_host_notices.py routes them. Layouts:
//   (HOST_REQUEST, exchange, method, path: bytes, query: bytes, http_version, headers, client, server,
//    body: bytes, more_body, websocket)
//   (HOST_BODY, exchange_id, chunk: bytes, more_body)
//   (HOST_DISCONNECT, exchange_id)      (HOST_DRAINED, exchange_id)
//   (HOST_WS_MESSAGE, exchange_id, data: str | bytes)
//   (HOST_WS_CLOSED, exchange_id, code)
//
// Threading: plain values, made on shard threads and read on the Python loop thread.
#pragma once

#include "net/forwarding.hpp"
#include "wakeup_queue.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace sg::py {

enum HostNoticeKind : int {
  kHostRequest = 0,
  kHostBody = 1,
  kHostDisconnect = 2,
  kHostDrained = 3,
  kHostWebSocketMessage = 4,
  kHostWebSocketClosed = 5,
};

struct HostRequestNotice {
  std::shared_ptr<net::Exchange> exchange;
  net::ForwardedRequest request;
};

struct HostBodyNotice {
  std::uint64_t exchange_id;
  std::string chunk;
  bool more_body;
};

struct HostSignalNotice {  // HOST_DISCONNECT or HOST_DRAINED
  HostNoticeKind kind;
  std::uint64_t exchange_id;
};

struct HostMessageNotice {
  std::uint64_t exchange_id;
  std::string data;
  bool binary;
};

struct HostClosedNotice {
  std::uint64_t exchange_id;
  std::uint16_t code;
};

using HostNotice = std::variant<HostRequestNotice, HostBodyNotice, HostSignalNotice, HostMessageNotice, HostClosedNotice>;

using HostNoticeQueue = WakeupQueue<HostNotice>;

}  // namespace sg::py
