"""Booking reads (SPEC §6): one booking, a caller's list, a booking's events.

The other booking use cases: create (booking_requests.py), status changes
(booking_transitions.py), a confirm's follow-ups (booking_follow_ups.py), reschedules
(reschedule.py); what a booking looks like to its viewer is booking_view.py.
"""

from __future__ import annotations

from datetime import datetime

from khadamat.dal import bookings as store
from khadamat.dal import users
from khadamat.dal.base import PageScope
from khadamat.domain.accounts import Role
from khadamat.domain.booking_rules import Status
from khadamat.domain.errors import Unprocessable
from khadamat.usecases.booking_transitions import touched
from khadamat.usecases.booking_view import booking_view, event_view, view_for, visible_booking


def get_booking(*, caller: users.UserItem, booking: store.BookingRef, now: datetime) -> dict:
    current, _ = visible_booking(booking, caller)
    return view_for(caller, touched(current, now))


def list_bookings(*, caller: users.UserItem, status: str | None, limit: int,
                  next_token: str | None) -> dict:
    if status is not None and status not in Status.__members__:
        raise Unprocessable(f"status must be one of {', '.join(Status)}")
    scope = PageScope("GET /bookings", caller.user_id, {"status": status})
    items, token = store.query_bookings(as_pro=caller.role == Role.PRO, user_id=caller.user_id,
                                        status=status, limit=limit, next_token=next_token,
                                        scope=scope)
    people = users.get_users({b.client_id for b in items} | {b.pro_id for b in items})
    return {"items": [booking_view(b, people, False) for b in items], "nextToken": token}


def booking_events(*, caller: users.UserItem, booking: store.BookingRef, now: datetime) -> dict:
    current, _ = visible_booking(booking, caller)
    touched(current, now)
    return {"items": [event_view(e) for e in store.list_events(current)]}
