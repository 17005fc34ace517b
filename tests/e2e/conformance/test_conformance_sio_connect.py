"""Socket.IO v5 namespaces on /socket.io/, over both transports: CONNECT to / and /custom with and
without a payload (exact reply shapes, then the `auth` event), unknown namespaces, the connect
timeout, DISCONNECT of a namespace, and CONNECT packets arriving back to back."""

import time

import pytest

from conformance_settings import CONNECT_TIMEOUT, PING_INTERVAL, PING_TIMEOUT, TEST_TIMEOUT, bounded
from conformance_socketio import (assert_connect_reply, connect_namespace, keep_alive_for, receive_many,
                                  receive_skipping_pings, send_refused_input)

pytestmark = pytest.mark.timeout(TEST_TIMEOUT)


def test_connects_to_the_main_namespace_without_payload(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connection.send("40")
    sid = assert_connect_reply(receive_skipping_pings(connection))
    assert sid != connection.sid, "the Socket.IO sid must not reveal the Engine.IO sid"
    assert receive_skipping_pings(connection) == '42["auth",{}]'


def test_connects_to_the_main_namespace_with_payload(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connect_namespace(connection, "/", payload='{"token":"123"}', expected_auth='{"token":"123"}')


def test_connects_to_a_custom_namespace_without_payload(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    sid = connect_namespace(connection, "/custom")
    assert sid != connection.sid


def test_connects_to_a_custom_namespace_written_without_trailing_comma(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connect_namespace(connection, "/custom", sent_namespace="/custom")


def test_connects_to_a_custom_namespace_with_payload(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connect_namespace(connection, "/custom", payload='{"token":"abc"}', expected_auth='{"token":"abc"}')


def test_each_namespace_connection_gets_its_own_sid(socket_endpoint, open_session):
    first, second = open_session(socket_endpoint), open_session(socket_endpoint)
    sids = [connect_namespace(first), connect_namespace(first, "/custom"), connect_namespace(second)]
    assert len(set(sids)) == 3
    assert not set(sids) & {first.sid, second.sid}


def test_unknown_namespace_is_refused_and_the_session_stays_open(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connection.send("40/random")
    assert receive_skipping_pings(connection) == '44/random,{"message":"Invalid namespace"}'
    connection.send('40/random,{"token":"x"}')
    assert receive_skipping_pings(connection) == '44/random,{"message":"Invalid namespace"}'
    connect_namespace(connection)


def test_invalid_packet_instead_of_connect_closes_the_session(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    sent = time.monotonic()
    send_refused_input(connection, ["4abc"])
    connection.expect_closed()
    waited = time.monotonic() - sent
    assert waited < CONNECT_TIMEOUT, f"closed after {waited:.3f} s: the connect timeout, not the bad packet"


def test_session_without_connect_is_closed_after_the_connect_timeout(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    opened = time.monotonic()
    # Pings are answered, so the close can only come from the connect timeout.
    connection.expect_closed(timeout=CONNECT_TIMEOUT + bounded(3.0), answer_pings=True)
    waited = time.monotonic() - opened
    assert waited >= CONNECT_TIMEOUT - 0.1, f"closed after {waited:.3f} s, before the connect timeout"


def test_connect_timeout_does_not_restart_after_the_last_namespace_disconnects(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    connection.send("41")
    keep_alive_for(connection, CONNECT_TIMEOUT + 0.5)
    connect_namespace(connection)


def test_disconnect_from_the_main_namespace_keeps_the_session_and_sends_nothing_back(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    first_sid = connect_namespace(connection)
    connection.send("41")
    # The next packet is the next ping: no reply to the DISCONNECT, no close.
    assert connection.receive(timeout=PING_INTERVAL + bounded(1.0)) == "2"
    connection.send("3")
    assert connect_namespace(connection) != first_sid


def test_main_namespace_still_works_after_connecting_and_disconnecting_a_custom_one(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    connect_namespace(connection, "/custom", sent_namespace="/custom")
    connection.send("41/custom", '42["message","message to main namespace"]')
    assert receive_skipping_pings(connection) == '42["message-back","message to main namespace"]'


def test_connect_and_event_sent_back_to_back_are_handled_in_order(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connection.send("40", '42["message","early"]')
    assert_connect_reply(receive_skipping_pings(connection))
    assert receive_many(connection, 2) == ['42["auth",{}]', '42["message-back","early"]']


def test_connects_sent_back_to_back_for_two_namespaces_are_both_answered(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connection.send("40{}", '40/custom,{"n":2}')
    packets = receive_many(connection, 4)
    main = [packet for packet in packets if not packet.startswith(("40/custom,", "42/custom,"))]
    custom = [packet for packet in packets if packet not in main]
    assert_connect_reply(main[0])
    assert main[1:] == ['42["auth",{}]']
    assert_connect_reply(custom[0], "/custom")
    assert custom[1:] == ['42/custom,["auth",{"n":2}]']


def test_connected_socket_survives_several_ping_intervals(socket_endpoint, open_session):
    connection = open_session(socket_endpoint)
    connect_namespace(connection)
    keep_alive_for(connection, 3 * (PING_INTERVAL + PING_TIMEOUT))
    connection.send('42["message","still here"]')
    assert receive_skipping_pings(connection) == '42["message-back","still here"]'
