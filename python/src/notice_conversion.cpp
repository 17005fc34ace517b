// Notice -> Python tuple (see notice_conversion.hpp).
// Threading: the Python loop thread, GIL held.
#include "notice_conversion.hpp"

#include "asgi_websocket_peer.hpp"

#include <nanobind/stl/shared_ptr.h>

namespace nb = nanobind;

namespace sg::py {

namespace {

nb::bytes to_bytes(std::string_view data) { return nb::bytes(data.data(), data.size()); }

nb::str to_str(std::string_view data) { return nb::str(data.data(), data.size()); }

nb::list to_list(const std::vector<std::string>& names) {
  nb::list list;
  for (const auto& name : names) list.append(to_str(name));
  return list;
}

struct ToPython {
  nb::object operator()(PollReplyNotice& notice) const {
    return nb::make_tuple(int(kNoticePollReply), notice.token, notice.reply.status, to_str(notice.reply.content_type),
                          to_bytes(notice.reply.body));
  }
  nb::object operator()(WebSocketOpenedNotice& notice) const {
    nb::object peer = notice.peer ? nb::cast(notice.peer) : nb::none();
    if (!notice.refusal) return nb::make_tuple(int(kNoticeWebSocketOpened), notice.token, peer, 0, "", nb::bytes("", 0));
    return nb::make_tuple(int(kNoticeWebSocketOpened), notice.token, peer, notice.refusal->status,
                          to_str(notice.refusal->content_type), to_bytes(notice.refusal->body));
  }
  nb::object operator()(OutboxReadyNotice& notice) const {
    return nb::make_tuple(int(kNoticeOutboxReady), notice.peer_id);
  }
  nb::object operator()(ConnectNotice& notice) const {
    return nb::make_tuple(int(kNoticeConnect), to_str(notice.nsp), to_str(notice.sid), to_str(notice.user_id),
                          to_str(notice.claims_json));
  }
  nb::object operator()(EventNotice& notice) const {
    nb::list attachments;
    for (const auto& bytes : notice.attachments) attachments.append(to_bytes(bytes));
    nb::object ack_id = notice.ack_id ? nb::cast(*notice.ack_id) : nb::none();
    return nb::make_tuple(int(kNoticeEvent), to_str(notice.nsp), to_str(notice.sid), to_str(notice.event),
                          to_str(notice.arguments_json), attachments, ack_id);
  }
  nb::object operator()(DisconnectNotice& notice) const {
    return nb::make_tuple(int(kNoticeDisconnect), to_str(notice.nsp), to_str(notice.sid), to_str(notice.user_id),
                          to_str(notice.reason));
  }
  nb::object operator()(DoneNotice& notice) const {
    nb::object names = notice.names ? nb::object(to_list(*notice.names)) : nb::none();
    return nb::make_tuple(int(kNoticeDone), notice.token, notice.found, names, notice.refused);
  }
};

}  // namespace

nb::list notices_to_python(std::vector<Notice> notices) {
  nb::list list;
  for (auto& notice : notices) list.append(std::visit(ToPython{}, notice));
  return list;
}

nb::object packet_to_python(const EncodedPacket& packet) {
  if (packet.is_binary()) return to_bytes(packet.payload());
  return to_str(packet.payload());
}

}  // namespace sg::py
