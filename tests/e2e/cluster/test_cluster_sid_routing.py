"""Operations on a sid sent to a node that does not own it are routed to the owner through Redis.

A sid is "<node-id>-<random>"; join, leave, rooms-of and disconnect by sid work from any node with
the same answers as on the owner, and the effect is visible cluster-wide (an emit from a third node
reaches a socket joined this way). Unknown sids answer 404 whether the named node exists or not.
A user's socket list is gathered from every node. A socket that disconnects leaves every room.
"""
from __future__ import annotations

import uuid

from cluster_audience import new_mark
from standalone_api import GatewayApi
from standalone_clients import wait_until


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_join_and_leave_by_sid_on_another_node_take_effect_on_the_owner(cluster, audience):
    room = unique("routed")
    member = audience.connect(cluster.c, "websocket", unique("dora"))
    bystander = audience.connect(cluster.b, "polling", unique("eve"))
    sid = member.sid()
    api_a, api_b = GatewayApi(cluster.a.url), GatewayApi(cluster.b.url)

    joined = api_a.join(sid, room)
    assert (joined.status, joined.body) == (200, {"sid": sid, "room": room, "joined": True}), \
        joined.text
    rooms = api_b.rooms_of(sid)
    assert rooms.status == 200 and room in rooms.body["rooms"], rooms.text
    cluster.wait_subscribers(room, 1)
    mark = new_mark()
    assert api_b.emit_to_room(room, "routed", mark).status == 202
    audience.expect_once("routed", mark, [member], barrier_via=cluster.b)

    left = api_a.leave(sid, room)
    assert (left.status, left.body) == (200, {"sid": sid, "room": room, "joined": False}), left.text
    rooms = api_b.rooms_of(sid)
    assert rooms.status == 200 and room not in rooms.body["rooms"], rooms.text
    mark = new_mark()
    assert api_b.emit_to_room(room, "routed", mark).status == 202
    audience.expect_once("routed", mark, [], barrier_via=cluster.b, clients=[member, bystander])


def test_rooms_of_a_remote_sid_match_the_owners_answer(cluster, audience):
    user = unique("fay")
    rooms = [unique("r1"), unique("r2")]
    client = audience.connect(cluster.b, "polling", user, rooms=rooms)
    sid = client.sid()
    at_owner = GatewayApi(cluster.b.url).rooms_of(sid)
    assert at_owner.status == 200, at_owner.text
    assert {"user:" + user, *rooms} <= set(at_owner.body["rooms"]), at_owner.body
    for node in (cluster.a, cluster.c):
        remote = GatewayApi(node.url).rooms_of(sid)
        assert remote.status == 200, f"{node}: {remote.text}"
        assert remote.body["sid"] == sid
        assert sorted(remote.body["rooms"]) == sorted(at_owner.body["rooms"]), (node, remote.body)


def test_disconnect_of_a_remote_sid_ends_that_client_only(cluster, audience):
    user = unique("gus")
    target = audience.connect(cluster.c, "upgrade", user)
    sibling = audience.connect(cluster.a, "polling", user)
    api = GatewayApi(cluster.a.url)
    sid = target.sid()

    gone = api.disconnect(sid)
    assert (gone.status, gone.body) == (200, {"sid": sid, "disconnected": True}), gone.text
    target.wait_disconnected()
    assert sibling.connected
    wait_until(lambda: GatewayApi(cluster.b.url).rooms_of(sid).status == 404,
               "the disconnected sid is unknown to the cluster")
    listed = GatewayApi(cluster.b.url).sockets_of(user)
    assert listed.status == 200 and listed.body["sids"] == [sibling.sid()], listed.text


def test_unknown_sids_answer_404_on_every_sid_route(cluster, audience):
    audience.connect(cluster.c, "websocket", unique("holder"))
    api = GatewayApi(cluster.a.url)
    owner_says_unknown = f"{cluster.c.node_id}-doesnotexist"
    for sid in (owner_says_unknown, f"{cluster.a.node_id}-doesnotexist"):
        for response in (api.rooms_of(sid), api.join(sid, "r"), api.leave(sid, "r"),
                         api.disconnect(sid)):
            assert response.status == 404, f"{sid}: {response.status} {response.text}"
            assert response.error_reason(), response.text
    for sid in ("nodeZ-nobodyhome", "nodash"):  # no such node: no answer within 2 s
        response = api.rooms_of(sid)
        assert response.status == 404, f"{sid}: {response.status} {response.text}"
        response.error_reason()


def test_user_sockets_are_listed_from_every_node(cluster, audience):
    user = unique("hal")
    sids = sorted(audience.connect(node, mode, user).sid()
                  for node, mode in zip(cluster.nodes, ("websocket", "polling", "upgrade")))
    audience.connect(cluster.b, "websocket", unique("other"))
    assert len({sid.split("-", 1)[0] for sid in sids}) == 3, sids
    for node in cluster.nodes:
        listed = GatewayApi(node.url).sockets_of(user)
        assert listed.status == 200, listed.text
        assert listed.body["user_id"] == user
        assert sorted(listed.body["sids"]) == sids, (node, listed.body)
    empty = GatewayApi(cluster.a.url).sockets_of(unique("nobody"))
    assert (empty.status, empty.body["sids"]) == (200, []), empty.text


def test_a_disconnected_client_has_left_every_room_cluster_wide(cluster, audience):
    user = unique("ida")
    room = unique("club")
    leaving = audience.connect(cluster.c, "polling", user, rooms=[room])
    staying = audience.connect(cluster.a, "websocket", unique("jon"), rooms=[room])
    sid = leaving.sid()
    cluster.wait_subscribers(room, 2)
    cluster.wait_subscribers("user:" + user, 1)

    leaving.close()
    api = GatewayApi(cluster.b.url)
    wait_until(lambda: api.rooms_of(sid).status == 404, "the closed client's sid is unknown")
    cluster.wait_subscribers(room, 1)  # only node A still has a member
    cluster.wait_subscribers("user:" + user, 0)
    assert api.sockets_of(user).body["sids"] == []

    mark = new_mark()
    assert api.emit_to_room(room, "after", mark).status == 202
    assert api.emit_to_user(user, "after", mark).status == 202
    audience.expect_once("after", mark, [staying], barrier_via=cluster.b, clients=[staying])
