// Notices as Python tuples, built on the loop thread (with the GIL) from the C++ values the
// shards queued. The first item of each tuple is one of the NOTICE_* kinds the module
// exports; socket_gateway/_notices.py reads them. Layouts:
//   (NOTICE_POLL_REPLY, token, status, content_type, body: bytes)
//   (NOTICE_WEBSOCKET_OPENED, token, peer | None, status, content_type, body: bytes)
//   (NOTICE_OUTBOX_READY, peer_id)
//   (NOTICE_CONNECT, nsp, sid, user_id, claims_json)
//   (NOTICE_EVENT, nsp, sid, event, arguments_json, attachments: list[bytes], ack_id | None)
//   (NOTICE_DISCONNECT, nsp, sid, user_id, reason)
//   (NOTICE_DONE, token, found, names: list[str] | None)
//
// Threading: the Python loop thread, GIL held.
#pragma once

#include "notice_queue.hpp"

#include <nanobind/nanobind.h>

#include <vector>

namespace sg::py {

enum NoticeKind : int {
  kNoticePollReply = 0,
  kNoticeWebSocketOpened = 1,
  kNoticeOutboxReady = 2,
  kNoticeConnect = 3,
  kNoticeEvent = 4,
  kNoticeDisconnect = 5,
  kNoticeDone = 6,
};

nanobind::list notices_to_python(std::vector<Notice> notices);

// A packet as the ASGI "websocket.send" wants it: str for text, bytes for binary.
nanobind::object packet_to_python(const EncodedPacket& packet);

}  // namespace sg::py
