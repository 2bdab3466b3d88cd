"""CNDP rights (SPEC §15): the data export, and the retention job (docs/privacy.md).

The export is everything stored about the caller, read from the caller's own partitions and
indexes only. Bookings go through the one booking serializer (usecases.bookings.booking_view),
so the other party's phone shows only where GET /bookings/{id} would show it: a CONFIRMED
booking (Privacy Shield). Secrets never leave: no password hash, no refresh-token hash, and
internal bookkeeping (slot locks, pending counters, duplicate guards) is left out as it only
repeats the bookings exported.
"""

from __future__ import annotations

from datetime import datetime

from khadamat.dal import bookings as booking_store
from khadamat.dal import notifications as notification_store
from khadamat.dal import payments as payment_store
from khadamat.dal import privacy as store
from khadamat.dal import users
from khadamat.dal.base import plain
from khadamat.domain import delivery
from khadamat.domain.accounts import Role
from khadamat.domain.timeutil import to_local_iso
from khadamat.observability import logger
from khadamat.usecases import reports
from khadamat.usecases.accounts import me_view
from khadamat.usecases.booking_view import booking_view, event_view, local_or_none
from khadamat.usecases.notifications import inbox_views

_KEY_ATTRIBUTES = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK",
                   "GSI4PK", "GSI4SK", "ttl"}


# ---------------------------------------------------------------- export
def export(user: users.UserItem, now: datetime) -> dict:
    own = _by_kind(store.user_partition(user.user_id))
    bookings = (store.bookings_of(user.user_id, as_pro=user.role == Role.PRO)
                if user.role in (Role.CLIENT, Role.PRO) else [])
    booking_entries, reviews = _bookings_with_events(user, bookings)
    given = user.role == Role.CLIENT
    return {
        "exportedAt": to_local_iso(now),
        "account": _account(user),
        "preferences": delivery.preferences_view(user.muted_channels),
        "consents": [_generic(raw) for raw in own.get("CONSENT", [])],
        "sessions": _sessions(user, own.get("REFRESH", [])),
        "devices": [_device(raw) for raw in own.get("DEVICE", [])],
        "bookings": booking_entries,
        "reviewsGiven": reviews if given else [],
        "reviewsReceived": [] if given else reviews,
        "reportsFiled": [reports.view(report) for report in store.reports_filed_by(user.user_id)],
        "penalties": [_penalty(raw) for raw in own.get("PENALTY", [])],
        "notifications": inbox_views(user, [notification_store.InboxItem.from_raw_data(raw)  # newest first
                                            for raw in reversed(own.get("NOTIF", []))]),
        "subscription": _subscription(user, own),
    }


def _by_kind(items: list[dict]) -> dict[str, list[dict]]:
    """The user's partition grouped by the first part of the sort key (CONSENT, NOTIF, ...)."""
    grouped: dict[str, list[dict]] = {}
    for raw in items:
        grouped.setdefault(raw["SK"]["S"].split("#", 1)[0], []).append(raw)
    return grouped


def _json_value(value):
    if isinstance(value, (set, list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _generic(raw: dict) -> dict:
    """An item written by another area (e.g. a consent record), every attribute but the keys,
    camelCase, times rendered like every timestamp of the API."""
    view = {}
    for name in sorted(set(raw) - _KEY_ATTRIBUTES):
        value = _json_value(store.attribute_value(raw, name))
        if name.endswith("_at") and isinstance(value, str):
            value = local_or_none(value)
        view[_camel(name)] = value
    return view


def _account(user: users.UserItem) -> dict:
    """GET /me's view, plus every other stored field of the account (never the password hash)."""
    services = [plain(s) for s in user.services or []]
    hours = [plain(h) for h in user.weekly_hours or []]
    exceptions = plain(user.availability_exceptions) if user.availability_exceptions else {}
    return {**me_view(user),
            "whatsapp": user.whatsapp, "bio": user.bio, "cityId": user.city_id,
            "createdAt": local_or_none(user.created_at), "updatedAt": local_or_none(user.updated_at),
            "banReason": user.ban_reason,
            "kyc": {"status": user.kyc_status, "submittedAt": local_or_none(user.kyc_submitted_at),
                    "rejectionReason": user.kyc_rejection_reason} if user.role == Role.PRO else None,
            "services": services, "weeklyHours": hours, "availabilityExceptions": exceptions,
            "rating": {"sum": int(user.rating_sum or 0), "count": int(user.rating_count or 0)},
            "proCancelCount30d": int(user.pro_cancel_count_30d or 0),
            "proConsecutiveCancelCount": int(user.pro_consecutive_cancel_count or 0)}


def _sessions(user: users.UserItem, raw_tokens: list[dict]) -> list[dict]:
    """One entry per refresh token that still refreshes — not rotated, not signed out (a
    signed-out token's item stays until its ttl) — never its hash."""
    tokens = [users.RefreshTokenItem.from_raw_data(raw) for raw in raw_tokens]
    return [{"expiresAt": local_or_none(token.expires_at)} for token in tokens
            if not token.rotated_at and users.refresh_token_live(token, user)]


def _device(raw: dict) -> dict:
    device = notification_store.DeviceItem.from_raw_data(raw)
    return {"platform": device.platform, "token": device.token,
            "createdAt": local_or_none(device.created_at)}


def _penalty(raw: dict) -> dict:
    penalty = booking_store.PenaltyLogItem.from_raw_data(raw)
    return {"type": penalty.type, "bookingId": penalty.booking_id,
            "createdAt": local_or_none(penalty.created_at)}


def _review(review: booking_store.ReviewItem) -> dict:
    return {"bookingId": review.booking_id, "rating": int(review.rating), "comment": review.comment,
            "createdAt": local_or_none(review.created_at)}


def _bookings_with_events(user: users.UserItem, bookings: list[booking_store.BookingItem]
                          ) -> tuple[list[dict], list[dict]]:
    """Each booking as its parties see it, with its events; the reviews found on them."""
    people = {user.user_id: user}
    others = {b.client_id for b in bookings} | {b.pro_id for b in bookings}
    if others - people.keys():
        people.update(users.get_users(others - people.keys()))
    entries, reviews = [], []
    for booking in bookings:
        stored_events = []
        for raw in store.booking_partition(booking.booking_id):
            sk = raw["SK"]["S"]
            if sk.startswith("EVENT#"):
                stored_events.append(booking_store.BookingEventItem.from_raw_data(raw))
            elif sk == "REVIEW":
                reviews.append(_review(booking_store.ReviewItem.from_raw_data(raw)))
        events = [event_view(event) for event in booking_store.events_of(booking, stored_events)]
        entries.append({**booking_view(booking, people, False), "events": events})
    return entries, reviews


def _boost(boost) -> dict:
    boost = plain(boost)
    return {"categoryId": boost.get("categoryId"), "startsAt": local_or_none(boost.get("startsAt")),
            "endsAt": local_or_none(boost.get("endsAt"))}


def _subscription(user: users.UserItem, own: dict[str, list[dict]]) -> dict:
    subscriptions = [payment_store.SubscriptionItem.from_raw_data(raw)
                     for raw in own.get("SUBSCRIPTION", [])]
    return {
        "premiumUntil": local_or_none(user.premium_until), "premiumPlan": user.premium_plan,
        "subscriptions": [{"id": s.subscription_id, "plan": s.plan, "status": s.status,
                           "startedAt": local_or_none(s.started_at),
                           "currentPeriodEnd": local_or_none(s.current_period_end),
                           "commitmentEndsAt": local_or_none(s.commitment_ends_at),
                           "endedAt": local_or_none(s.ended_at)} for s in subscriptions],
        "everSubscribed": bool(own.get("EVER_SUBSCRIBED")),
        "boosts": [_boost(b) for b in user.boosts or []],
    }


# ---------------------------------------------------------------- retention
ERASE_PER_RUN = 500  # a daily run; what is left is due tomorrow too, and the summary says so


def apply_retention(now: datetime) -> dict:
    """Erase the bookings that never took place, 2 years after their slot (what TTL cannot do:
    outbox, delivery records and read notifications expire by TTL). Idempotent, and safe
    twice at once: each erasure is counted by the run whose conditional delete won."""
    due = store.bookings_due_for_erasure(now, ERASE_PER_RUN)
    erased = sum(store.erase_booking(booking.booking_id) for booking in due)
    if erased:
        logger.info("retention applied", extra={"bookingsErased": erased})
    return {"bookingsErased": erased, "more": len(due) == ERASE_PER_RUN}
