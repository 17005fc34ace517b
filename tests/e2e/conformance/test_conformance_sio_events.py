"""Socket.IO v5 events on /socket.io/, over both transports: plain events, binary events with
attachments (raw frames on WebSocket, b<base64> records on polling), acks with and without
binary, server-to-client acks, and rooms (the conformance server's own events)."""

import json
import re

import pytest

from conformance_settings import TEST_TIMEOUT
from conformance_socketio import connect_namespace, placeholder, receive_many, receive_skipping_pings

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

PH0, PH1 = placeholder(0), placeholder(1)


@pytest.fixture
def connected(socket_endpoint, open_session):
    """A session connected to the main namespace, its `auth` event already read."""
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    return connection


def test_plain_event_is_answered_with_the_same_arguments(connected):
    connected.send('42["message",1,"2",{"3":[true]}]')
    assert receive_skipping_pings(connected) == '42["message-back",1,"2",{"3":[true]}]'


def test_event_with_utf8_text_comes_back_unchanged(connected):
    connected.send('42["message","héllo €亜Б"]')
    assert receive_skipping_pings(connected) == '42["message-back","héllo €亜Б"]'


def test_event_on_a_custom_namespace_is_answered_on_that_namespace(connected):
    connect_namespace(connected, "/custom")
    connected.send('42/custom,["message",{"a":null}]')
    assert receive_skipping_pings(connected) == '42/custom,["message-back",{"a":null}]'


@pytest.mark.parametrize("batched", [False, True], ids=["separate-sends", "one-send"])
def test_binary_event_comes_back_with_its_attachments(connected, batched):
    header = '452-["message",' + PH0 + "," + PH1 + "]"
    attachments = [bytes([1, 2, 3]), bytes([4, 5, 6])]
    if batched:  # one POST (polling) / consecutive frames (WebSocket)
        connected.send(header, *attachments)
    else:
        for packet in [header, *attachments]:
            connected.send(packet)
    assert receive_many(connected, 3) == ['452-["message-back",' + PH0 + "," + PH1 + "]", *attachments]


def test_nested_binary_in_a_custom_namespace_keeps_placeholder_order(connected):
    connect_namespace(connected, "/custom")
    connected.send('452-/custom,["message",{"list":[' + PH0 + ',"x"]},' + PH1 + "]", b"\xff\x00", b"")
    assert receive_many(connected, 3) == [
        '452-/custom,["message-back",{"list":[' + PH0 + ',"x"]},' + PH1 + "]", b"\xff\x00", b""]


def test_event_with_ack_id_is_acknowledged_with_the_same_arguments(connected):
    connected.send('42456["message-with-ack",1,"2",{"3":[false]}]')
    assert receive_skipping_pings(connected) == '43456[1,"2",{"3":[false]}]'


def test_ack_without_arguments_is_an_empty_array(connected):
    connected.send('4212["message-with-ack"]')
    assert receive_skipping_pings(connected) == "4312[]"


def test_ack_on_a_custom_namespace_carries_the_namespace(connected):
    connect_namespace(connected, "/custom")
    connected.send('42/custom,7["message-with-ack","x"]')
    assert receive_skipping_pings(connected) == '43/custom,7["x"]'


def test_binary_event_with_ack_is_acknowledged_with_binary_ack(connected):
    connected.send('452-789["message-with-ack",' + PH0 + "," + PH1 + "]", bytes([1, 2, 3]), bytes([4, 5, 6]))
    assert receive_many(connected, 3) == ["462-789[" + PH0 + "," + PH1 + "]", bytes([1, 2, 3]), bytes([4, 5, 6])]


def request_server_ack(connection, arguments: str) -> str:
    """Asks the server for an event with an ack id; returns that id after checking the event."""
    connection.send('42["request-ack",' + arguments + "]")
    event = receive_skipping_pings(connection)
    match = re.fullmatch(r'42(\d+)\["ack-request",(.*)\]', event)
    assert match, f"expected an ack-request event with an ack id, got {event!r}"
    assert json.loads("[" + match.group(2) + "]") == json.loads("[" + arguments + "]")
    return match.group(1)


def test_server_event_with_ack_id_reports_the_client_ack(connected):
    ack_id = request_server_ack(connected, '"question",7')
    connected.send("43" + ack_id + '["answer",{"n":42}]')
    assert receive_skipping_pings(connected) == '42["ack-received","answer",{"n":42}]'


def test_server_event_with_ack_id_accepts_a_binary_ack(connected):
    ack_id = request_server_ack(connected, '"question"')
    connected.send("461-" + ack_id + "[" + PH0 + "]", b"\x00\x01")
    assert receive_many(connected, 2) == ['451-["ack-received",' + PH0 + "]", b"\x00\x01"]


def test_server_ack_ids_are_not_reused_and_a_second_ack_is_ignored(connected):
    first = request_server_ack(connected, '"one"')
    second = request_server_ack(connected, '"two"')
    assert first != second
    connected.send("43" + second + '["for-two"]')
    assert receive_skipping_pings(connected) == '42["ack-received","for-two"]'
    connected.send("43" + second + '["again"]', '42["message","after"]')
    # Had the second ack been accepted, its ack-received would arrive before this reply.
    assert receive_skipping_pings(connected) == '42["message-back","after"]'


def test_join_acks_true_and_room_emits_reach_only_room_members(socket_endpoint, open_session):
    member, outsider, sender = (open_session(socket_endpoint) for _ in range(3))
    for connection in (member, outsider, sender):
        connect_namespace(connection)
    member.send('420["join","room-a"]')
    assert receive_skipping_pings(member) == "430[true]"
    outsider.send('421["join","room-b"]')
    assert receive_skipping_pings(outsider) == "431[true]"
    sender.send('42["to-room","room-a",{"n":1}]', '42["to-room","room-b",{"n":2}]')
    assert receive_skipping_pings(member) == '42["room-message",{"n":1}]'
    # Had the room-a emit leaked to the outsider, it would arrive before its own room's message.
    assert receive_skipping_pings(outsider) == '42["room-message",{"n":2}]'
