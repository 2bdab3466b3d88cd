"""Fewer DynamoDB round trips for the bookings, with the same answers (docs/bookings.md).

Transitions answer from the state their transaction wrote (no re-read), the booking routes
read the caller and the booking in one request, and the create transaction itself checks
the hour's slot lock. These tests pin that the answers stay those of a fresh read.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from khadamat.domain.timeutil import parse_timestamp
from tests.integration.booking_helpers import (NOW, SLOT, act, book, code, make_admin, make_pro,
                                               set_clock, signup_and_login)

BASE = parse_timestamp(NOW)


def at(hours: float) -> str:
    return (BASE + timedelta(hours=hours)).isoformat()


@pytest.fixture
def world(api):
    set_clock(api)
    return {"client": signup_and_login(api, "CLIENT"), "pro": make_pro(api)}


def fresh(api, who, booking_id) -> dict:
    reply = api.get(f"/bookings/{booking_id}", token=who.token)
    assert reply.status == 200, reply.body
    return reply.body


def new_booking(api, client, pro, slot=SLOT) -> str:
    reply = book(api, client, pro, slot)
    assert reply.status == 201, reply.body
    return reply.body["id"]


def test_every_transition_answers_what_a_fresh_read_then_shows(api, world):
    client, pro = world["client"], world["pro"]
    # Given three requests of the client with the pro
    confirmed, declined, cancelled = (new_booking(api, client, pro, at(h)) for h in (30, 31, 32))
    answers = {}
    # When the pro declines one, the client cancels one, and the pro confirms the last (phones shown)
    answers[declined] = act(api, pro, declined, "decline", {"reason": "absent"})
    answers[cancelled] = act(api, client, cancelled, "cancel")
    answers[confirmed] = act(api, pro, confirmed, "confirm", {"estimatedDuration": "H2"})
    # Then each answer is exactly the booking as both parties now read it
    for booking_id, reply in answers.items():
        assert reply.status == 200, reply.body
        assert reply.body == fresh(api, pro, booking_id) == fresh(api, client, booking_id)
    assert answers[confirmed].body["client"]["phone"] == "+212" + client.phone[1:]
    assert answers[confirmed].body["pro"]["firstName"] == "Prénom"
    assert answers[declined].body["client"]["lastName"] is not None


def test_complete_and_a_confirmed_cancel_answer_the_stored_booking(api, world):
    client, pro = world["client"], world["pro"]
    done = new_booking(api, client, pro, at(2))
    assert act(api, pro, done, "confirm").status == 200
    dropped = new_booking(api, client, pro, at(40))
    assert act(api, pro, dropped, "confirm").status == 200
    # When the client cancels a confirmed booking and, after the slot, the pro completes the other
    cancel = act(api, client, dropped, "cancel")
    set_clock(api, at(3), client, pro)
    complete = act(api, pro, done, "complete")
    # Then both answers equal a fresh read, the slot locks released for the cancelled one
    assert cancel.status == complete.status == 200
    assert cancel.body == fresh(api, client, dropped) and cancel.body["status"] == "CANCELLED_BY_CLIENT"
    assert complete.body == fresh(api, pro, done) and complete.body["status"] == "COMPLETED"


def test_a_touch_that_expires_answers_the_expired_booking(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = new_booking(api, client, pro, at(3))
    # Given the request's expiry has passed and no job ran
    set_clock(api, at(3.5), client, pro)
    # When the pro reads it, then it is EXPIRED, as stored
    first = fresh(api, pro, booking_id)
    assert first["status"] == "EXPIRED" and first == fresh(api, client, booking_id)
    # and a confirm now is refused as expired
    assert code(act(api, pro, booking_id, "confirm")) == "BOOKING_EXPIRED"
