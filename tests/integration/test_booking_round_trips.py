"""Fewer DynamoDB round trips for the bookings, with the same answers (docs/bookings.md).

Transitions answer from the state their transaction wrote (no re-read), the booking routes
read the caller and the booking in one request, and the create transaction itself checks
the hour's slot lock. These tests pin that the answers stay those of a fresh read.
"""

from __future__ import annotations

from khadamat.domain.timeutil import parse_timestamp
from tests.integration.booking_helpers import (BASE, SLOT, act, at, world,  # noqa: F401 (fixture)
                                               book, code, make_admin, make_pro,
                                               set_clock, signup_and_login)


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


# ---------------------------------------------------------------- the caller and the booking in one read
def test_a_ban_between_two_calls_on_the_same_warm_function_is_seen_at_once(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = new_booking(api, client, pro)
    assert fresh(api, client, booking_id)["status"] == "PENDING"
    # When an admin bans the client between two calls of the same (warm) function
    admin = make_admin(api)
    assert api.post(f"/admin/users/{client.id}/ban", {"reason": "fraude"}, token=admin.token).status == 200
    # Then the next call is refused, with a token issued before the ban
    reply = api.get(f"/bookings/{booking_id}", token=client.token)
    assert reply.status == 403 and code(reply) == "ACCOUNT_BANNED"
    assert code(act(api, client, booking_id, "cancel")) == "ACCOUNT_BANNED"


def test_nothing_read_for_one_call_serves_the_next(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = new_booking(api, client, pro)
    assert fresh(api, pro, booking_id)["status"] == "PENDING"
    # When the booking moves, then the next read of the same warm function shows the move
    assert act(api, client, booking_id, "cancel").status == 200
    assert fresh(api, pro, booking_id)["status"] == "CANCELLED_BY_CLIENT"
    # and a call whose id is not read (too long) or unknown answers 404, not the last booking
    for other_id in ("x" * 65, "unknown"):
        reply = api.get(f"/bookings/{other_id}", token=pro.token)
        assert reply.status == 404 and code(reply) == "NOT_FOUND"
    # and another signed-in user still cannot see it
    stranger = signup_and_login(api, "CLIENT")
    assert api.get(f"/bookings/{booking_id}", token=stranger.token).status == 404


# ---------------------------------------------------------------- the slot lock, checked by the create transaction
def lock_hour(pro, slot: str, booking_id: str = "another-booking") -> None:
    from khadamat.dal.availability import new_lock

    new_lock(pro.id, parse_timestamp(slot), booking_id, BASE).save()


def test_a_confirm_landing_between_the_checks_and_the_write_makes_the_create_slot_unavailable(
        api, world, monkeypatch):
    from khadamat.usecases import pros
    client, pro = world["client"], world["pro"]
    open_for = pros.is_slot_open_for

    def open_then_taken(*args):
        answer = open_for(*args)
        lock_hour(pro, SLOT)  # another client's booking of this hour is confirmed right now
        return answer

    monkeypatch.setattr(pros, "is_slot_open_for", open_then_taken)
    # When the client books that hour, then the transaction refuses it and writes nothing
    reply = book(api, client, pro)
    assert reply.status == 409 and code(reply) == "SLOT_UNAVAILABLE"
    monkeypatch.undo()
    assert api.get("/bookings", token=client.token).body["items"] == []
    # and the next hour is still bookable (the group and the duplicate guard were left untouched)
    assert book(api, client, pro, at(27)).status == 201


def test_when_several_create_rules_fail_the_answer_follows_the_spec_order(api, world):
    client, pro = world["client"], world["pro"]
    for hour in (30, 31, 32):
        new_booking(api, client, pro, at(hour))
    # Given a duplicate that is also over the 3-PENDING limit: DUPLICATE_BOOKING
    assert code(book(api, client, pro, at(30))) == "DUPLICATE_BOOKING"
    # Given also the hour locked by another booking: SLOT_UNAVAILABLE
    lock_hour(pro, at(31))
    assert code(book(api, client, pro, at(31))) == "SLOT_UNAVAILABLE"
    # Given only the limit: PENDING_LIMIT_REACHED
    assert code(book(api, client, pro, at(33))) == "PENDING_LIMIT_REACHED"


# ---------------------------------------------------------------- confirm: the group describes the other requests
def test_a_confirm_cancels_the_other_requests_without_reading_them(api, world):
    from infra.bench.counting import counting
    client, pro = world["client"], world["pro"]
    other_pro = make_pro(api)
    mine = new_booking(api, client, pro, at(30))
    others = [new_booking(api, client, other_pro, at(31)), new_booking(api, client, pro, at(40))]
    # When the pro confirms one of the client's three requests of this city+category
    with counting() as tally:
        reply = act(api, pro, mine, "confirm")
    # Then the others are auto-cancelled in the same write, with no read of them:
    # caller+booking, group+client, the transaction (the overlapping declines are its follow-up
    # task, another invocation)
    assert reply.status == 200 and reply.body["client"]["phone"] is not None
    assert tally.requests == 3, dict(tally.operations)
    for booking_id in others:
        assert fresh(api, client, booking_id)["status"] == "CANCELLED_AUTO_FIRST_CONFIRMED"
    assert book(api, client, pro, at(50)).status == 201  # the group is free again


def test_a_group_written_before_it_described_its_requests_still_cancels_them(api, world):
    from khadamat.dal.bookings import PendingGroupItem, pending_group_key
    client, pro = world["client"], world["pro"]
    mine, other = new_booking(api, client, pro, at(30)), new_booking(api, client, pro, at(40))
    # Given the group item holds the ids only (as stored before pending_info existed)
    group = PendingGroupItem.get(*pending_group_key(client.id, "casablanca", "plomberie"))
    group.update(actions=[PendingGroupItem.pending_info.remove()])
    # When the pro confirms one, then the other is read and auto-cancelled
    assert act(api, pro, mine, "confirm").status == 200
    assert fresh(api, client, other)["status"] == "CANCELLED_AUTO_FIRST_CONFIRMED"


# ---------------------------------------------------------------- exceptions inside the pro's profile
def exception(api, pro, start: str, end: str):
    return api.post("/pro/availability/exceptions", {"startAt": start, "endAt": end}, token=pro.token)


def test_an_exception_makes_the_slot_unavailable_until_it_is_deleted(api, world):
    client, pro = world["client"], world["pro"]
    created = exception(api, pro, at(25), at(28))
    assert created.status == 201
    # When the client books an hour inside it: refused, and the slot is not offered
    assert code(book(api, client, pro)) == "SLOT_UNAVAILABLE"
    day = SLOT[:10]
    slots = api.get(f"/pros/{pro.id}/slots?from={day}&days=1").body["slots"]
    assert parse_timestamp(SLOT) not in [parse_timestamp(s) for s in slots]
    # When the pro deletes it, then the hour is bookable again
    assert api.delete(f"/pro/availability/exceptions/{created.body['id']}", token=pro.token).status == 204
    assert book(api, client, pro).status == 201


def test_exceptions_are_bounded_and_those_long_over_make_room(api, world):
    from khadamat.dal.pros import MAX_EXCEPTIONS
    from khadamat.dal.users import get_user
    from khadamat.usecases import pros
    pro = world["pro"]
    # Given the pro holds the most exceptions allowed
    for hour in range(MAX_EXCEPTIONS):
        pros.create_exception(get_user(pro.id), at(hour + 1), at(hour + 2), None, BASE)
    # When adding one more, then it is refused
    reply = exception(api, pro, at(100), at(101))
    assert reply.status == 422 and code(reply) == "VALIDATION_ERROR"
    # When 33 days later the old ones are long over (30 days kept), then adding one drops them
    set_clock(api, at(33 * 24), pro)
    assert exception(api, pro, at(33 * 24 + 5), at(33 * 24 + 6)).status == 201
    assert len(get_user(pro.id).availability_exceptions.as_dict()) == 1


def test_deleting_the_account_erases_the_exceptions(api, world):
    from khadamat.dal.users import get_user
    pro = world["pro"]
    assert api.post("/pro/availability/exceptions",
                    {"startAt": at(25), "endAt": at(28), "reason": "hôpital"}, token=pro.token).status == 201
    assert api.delete("/me", token=pro.token).status == 204
    assert get_user(pro.id).availability_exceptions is None
