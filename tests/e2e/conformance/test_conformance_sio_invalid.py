"""Socket.IO v5 input the server must refuse, over both transports: each case closes the whole
Engine.IO session, with no CONNECT_ERROR and no other packet first (PROTOCOL.md §2.2, "What the
official server does with bad input"). Also: an ACK with an unknown id is ignored."""

import time

import pytest

from conformance_settings import CONNECT_TIMEOUT, TEST_TIMEOUT
from conformance_socketio import connect_namespace, placeholder, receive_skipping_pings, send_refused_input

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)

RESERVED_EVENT_NAMES = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]

# Sent after a successful CONNECT to "/" (and only to "/").
BAD_INPUT = {
    "unknown-packet-type-letter": ["4abc"],
    "unknown-packet-type-7": ["47"],
    "event-payload-object": ["42{}"],
    "event-payload-empty-array": ["42[]"],
    "event-payload-string": ['42"message"'],
    "event-name-object": ['42[{"name":"message"}]'],
    "event-invalid-json": ['42["message",'],
    "event-invalid-ack-id": ['42abc["message-with-ack",1,"2",{"3":[false]}]'],
    **{f"reserved-event-{name}": [f'42["{name}"]'] for name in RESERVED_EVENT_NAMES},
    "connect-payload-array": ["40/custom,[]"],
    "connect-payload-string": ['40/custom,"token"'],
    "second-connect-same-namespace": ["40"],
    "disconnect-with-payload": ['41{"reason":"x"}'],
    "ack-payload-object": ["431{}"],
    "client-connect-error": ['44{"message":"from client"}'],
    "event-for-unconnected-namespace": ['42/custom,["message"]'],
    "disconnect-for-unconnected-namespace": ["41/custom,"],
    "text-while-attachment-expected": ['451-["message",' + placeholder(0) + "]", '42["message"]'],
    "binary-without-binary-header": [b"\x01\x02\x03"],
    "attachment-count-without-dash": ['451["message",' + placeholder(0) + "]"],
    "attachment-count-not-a-number": ['45x-["message",' + placeholder(0) + "]"],
    "attachment-count-over-limit": ['4511-["message",' + ",".join(placeholder(n) for n in range(11)) + "]"],
}


@pytest.mark.parametrize("packets", list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_after_connect_closes_the_session(socket_endpoint, open_session, packets):
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    send_refused_input(connection, packets)
    connection.expect_closed()


def test_event_before_any_connect_closes_the_session(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    sent = time.monotonic()
    send_refused_input(connection, ['42["message","too early"]'])
    connection.expect_closed()
    waited = time.monotonic() - sent
    assert waited < CONNECT_TIMEOUT, f"closed after {waited:.3f} s: the connect timeout, not the event"


@pytest.mark.parametrize("packets", [["43999[]"], ['461-999[' + placeholder(0) + "]", b"\x01"]],
                         ids=["ack", "binary-ack"])
def test_ack_with_unknown_id_is_ignored(socket_endpoint, open_session, packets):
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    connection.send(*packets)
    connection.send('42["message","after"]')
    # Anything the unknown ack caused (a reply, a close) would show up before this reply.
    assert receive_skipping_pings(connection) == '42["message-back","after"]'


def test_control_valid_input_after_connect_keeps_the_session(socket_endpoint, open_session):
    """Control for the bad-input cases: the same steps with a valid event do not close."""
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    connection.send('42["message",{"ok":true}]')
    assert receive_skipping_pings(connection) == '42["message-back",{"ok":true}]'
