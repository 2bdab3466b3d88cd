"""The pro dashboard's counters (SPEC §18), kept as the bookings change, never recounted.

Keys: PROSTATS#<proId> / HOUR#<YYYY-MM-DDTHH> (the UTC hour of the events), ttl 40 days.
Each hour item holds string sets, one entry per event, ADDed in the very transaction that
makes the event (dal.bookings.BookingTx), so an entry exists if and only if its change
committed, once:

  requests     "<createdAt>|<bookingId>|<expiresAt>"                   a request was created
  exits        "<at>|<bookingId>|<newStatus>|<responseSeconds or ->"   it left PENDING
  completions  "<at>|<bookingId>|<priceMad or ->"                      it was completed
  pro_cancels  "<at>|<bookingId>"                                      the pro cancelled it

Entries carry their exact time, so the dashboard's windows (7 × 24 h, 30 × 24 h, local dates)
are exact although items are hourly; a dashboard reads the last 31 days of hour items in one
Query (docs/pros.md "Dashboard"). Sets (not counters) because they are idempotent under ADD
and tell the dashboard which request left PENDING (pending now, acceptance of a cohort).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeSetAttribute

from khadamat.dal.base import BaseItem
from khadamat.domain.timeutil import from_storage, to_storage

STATS_PREFIX = "PROSTATS#"
HOUR_PREFIX = "HOUR#"
RETENTION = timedelta(days=40)  # the dashboard looks back 31 days at most
FIELDS = ("requests", "exits", "completions", "pro_cancels")
SLOT_TAKEN = "SLOT_TAKEN"


class ProStatsHourItem(BaseItem):
    requests = UnicodeSetAttribute(null=True)
    exits = UnicodeSetAttribute(null=True)
    completions = UnicodeSetAttribute(null=True)
    pro_cancels = UnicodeSetAttribute(null=True)


def hour_key(pro_id: str, moment: datetime) -> tuple[str, str]:
    return f"{STATS_PREFIX}{pro_id}", f"{HOUR_PREFIX}{to_storage(moment)[:13]}"


def booking_price_mad(price: dict | None) -> int | None:
    """The price as booked: FIXED, or the RANGE midpoint rounded half up (integer MAD)."""
    if not price:
        return None
    if price.get("pricingType") == "FIXED":
        return int(price["fixedPriceMad"])
    return (int(price["minPriceMad"]) + int(price["maxPriceMad"]) + 1) // 2


class StatsDelta:
    """The entries one booking transaction adds, merged per hour item (a transaction may not
    touch one item twice: a confirm can end several requests of one pro in one hour)."""

    def __init__(self):
        self._entries: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def _add(self, pro_id: str, moment: datetime, field: str, entry: str) -> None:
        self._entries[hour_key(pro_id, moment)][field].add(entry)

    def request_created(self, booking) -> None:
        created = from_storage(booking.created_at)
        self._add(booking.pro_id, created, "requests",
                  f"{booking.created_at}|{booking.booking_id}|{booking.expires_at}")

    def booking_changed(self, booking, from_status: str, to_status: str, now: datetime,
                        fields: dict) -> None:
        at = to_storage(now)
        if from_status == "PENDING" and to_status != "PENDING":
            # response time: only the pro's own answers (not an auto-decline SLOT_TAKEN)
            answered = to_status in ("CONFIRMED", "DECLINED") and fields.get("cancel_reason") != SLOT_TAKEN
            response = str(int((now - from_storage(booking.created_at)).total_seconds())) if answered else "-"
            self._add(booking.pro_id, now, "exits", f"{at}|{booking.booking_id}|{to_status}|{response}")
        if to_status == "COMPLETED":
            price = booking_price_mad(booking.price)
            self._add(booking.pro_id, now, "completions",
                      f"{at}|{booking.booking_id}|{'-' if price is None else price}")
        if to_status == "CANCELLED_BY_PRO":
            self._add(booking.pro_id, now, "pro_cancels", f"{at}|{booking.booking_id}")

    def updates(self):
        """(item, actions) per hour item touched: ADD to its sets, refresh its ttl."""
        for (pk, sk), fields in self._entries.items():
            hour = datetime.fromisoformat(sk.removeprefix(HOUR_PREFIX) + ":00:00+00:00")
            actions = [getattr(ProStatsHourItem, name).add(entries) for name, entries in fields.items()]
            actions.append(ProStatsHourItem.ttl.set(int((hour + RETENTION).timestamp())))
            yield ProStatsHourItem(pk, sk), actions


def hours_between(pro_id: str, start: datetime, end: datetime) -> list[ProStatsHourItem]:
    """The pro's hour items from start's hour to end's hour: one Query (DynamoDB pages past
    1 MB, about 15,000 events in the window)."""
    pk, first = hour_key(pro_id, start)
    _pk, last = hour_key(pro_id, end)
    return list(ProStatsHourItem.query(pk, ProStatsHourItem.SK.between(first, last)))
