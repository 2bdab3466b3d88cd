"""A booking's timeline starts with its CREATED event, read from the booking item itself (the
create transaction stores none: issue 21's cost per booking)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from khadamat.dal.bookings import events_of, new_booking, new_event

CREATED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _booking():
    return new_booking(booking_id="b1", client_id="client-1", pro_id="pro-1", city_id="casablanca",
                       category_id="plomberie", time_slot=CREATED_AT + timedelta(days=1),
                       expires_at=CREATED_AT + timedelta(hours=2), now=CREATED_AT)


def test_the_created_event_comes_from_the_booking_before_the_stored_ones():
    # Given a booking confirmed after it was created (only the confirm's event is stored)
    confirmed = new_event("b1", "CONFIRMED", CREATED_AT + timedelta(hours=1), 0,
                          actor_role="PRO", actor_user_id="pro-1")
    # When its timeline is read
    timeline = events_of(_booking(), [confirmed])
    # Then it opens with CREATED: the client, at the booking's creation time, in the event's key
    created = timeline[0]
    assert [(e.type, e.actor_role, e.actor_user_id) for e in timeline] == [
        ("CREATED", "CLIENT", "client-1"), ("CONFIRMED", "PRO", "pro-1")]
    assert created.created_at == _booking().created_at
    assert (created.PK, created.SK) == ("BOOKING#b1", f"EVENT#{_booking().created_at}#00")
    assert created.metadata == {}


def test_a_booking_that_stored_its_created_event_does_not_get_it_twice():
    # Given a booking made before the change: its CREATED event is an item of its partition
    stored = new_event("b1", "CREATED", CREATED_AT, 0, actor_role="CLIENT", actor_user_id="client-1")
    # Then the timeline shows that one, once
    assert [e.type for e in events_of(_booking(), [stored])] == ["CREATED"]
