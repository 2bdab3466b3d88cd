"""The pro's calendar feed (SPEC §19): a secret URL any calendar app can subscribe to.

The token is ``<proId>.<secret>``; only sha256(token) is stored (dal.calendar), so the feed is
found with one GetItem, a new token revokes the old, and a leaked table holds no usable URL.
The feed: the pro's CONFIRMED and COMPLETED bookings starting from 30 days back to 90 days
ahead (one Query of the pro's bookings by time), one VEVENT each (RFC 5545, the icalendar
library): UID the booking id (stable across reschedules: calendar apps move the event), times
in UTC, summary « Khadamat · <catégorie> · <prénom du client> », no phone (Privacy Shield).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

from khadamat.dal import bookings as store
from khadamat.dal import calendar as tokens
from khadamat.dal import users
from khadamat.domain.booking_rules import Status, held_hours
from khadamat.domain.errors import NotFound
from khadamat.domain.reference import CATEGORY_NAMES
from khadamat.domain.timeutil import from_storage
from khadamat.security import hash_token

FEED_PATH = "/pro/calendar.ics"
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=90)
_IN_FEED = {Status.CONFIRMED, Status.COMPLETED}
UID_DOMAIN = "khadamat.ma"


def new_feed_url(pro: users.UserItem, base_url: str, now: datetime) -> dict:
    token = f"{pro.user_id}.{secrets.token_urlsafe(32)}"
    tokens.replace_token_hash(pro.user_id, hash_token(token), now)
    return {"url": f"{base_url}{FEED_PATH}?token={quote(token, safe='')}"}


def _feed_owner(token: str | None) -> str:
    """The pro whose current token this is; 404 for anything else (unknown, revoked, malformed)."""
    pro_id, _, secret_part = (token or "").partition(".")
    if not pro_id or not secret_part or len(token) > 200:
        raise NotFound("no such calendar")
    stored = tokens.token_hash_of(pro_id)
    if stored is None or not hmac.compare_digest(stored, hash_token(token)):
        raise NotFound("no such calendar")
    return pro_id


def feed(token: str | None, now: datetime) -> str:
    from icalendar import Calendar, Event  # only this function pays its import

    pro_id = _feed_owner(token)
    bookings = [b for b in store.pro_bookings_between(pro_id, now - FEED_PAST, now + FEED_AHEAD)
                if b.status in _IN_FEED]
    clients = users.get_users({b.client_id for b in bookings})
    calendar = Calendar()
    calendar.add("prodid", "-//Khadamat//Agenda du professionnel//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Khadamat")
    for booking in bookings:
        hours = held_hours(from_storage(booking.time_slot), booking.estimated_duration)
        client = clients.get(booking.client_id)
        event = Event()
        event.add("uid", f"{booking.booking_id}@{UID_DOMAIN}")
        event.add("dtstamp", from_storage(booking.updated_at))
        event.add("last-modified", from_storage(booking.updated_at))
        event.add("dtstart", hours[0])
        event.add("dtend", hours[-1] + timedelta(hours=1))
        event.add("summary", " · ".join(("Khadamat", CATEGORY_NAMES.get(booking.category_id, booking.category_id),
                                          (client.first_name if client else None) or "client")))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical().decode()
