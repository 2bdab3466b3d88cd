"""The pro dashboard's numbers (SPEC §18) from the event entries of dal.pro_stats. Pure.

Windows: "today" is the Africa/Casablanca date of `now`; "7d" / "30d" are the 7 × 24 h and
30 × 24 h before now, (now − 7 d, now]; `daily` the 30 local dates ending today, each event
on the local date it happened. Acceptance and response time are over the requests CREATED in
the last 7 × 24 h (a cohort), with the outcome each has now.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from khadamat.domain.timeutil import from_storage, local_date, local_midnight

DAILY_DAYS = 30
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


def read_window_start(now: datetime) -> datetime:
    """The oldest instant any number needs: 30 × 24 h back, or the first of the 30 local dates."""
    first_day = local_date(now) - timedelta(days=DAILY_DAYS - 1)
    return min(now - MONTH, local_midnight(first_day))


@dataclass
class Events:
    """The entries of the hour items read, parsed."""

    requests: list[tuple[datetime, str, datetime]] = field(default_factory=list)  # created, id, expires
    exits: dict[str, tuple[datetime, str, int | None]] = field(default_factory=dict)  # id → at, status, s
    completions: list[tuple[datetime, int | None]] = field(default_factory=list)  # at, price
    pro_cancels: list[datetime] = field(default_factory=list)

    @classmethod
    def parse(cls, requests: Iterable[str], exits: Iterable[str], completions: Iterable[str],
              pro_cancels: Iterable[str]) -> Events:
        events = cls()
        for entry in requests:
            created, booking_id, expires = entry.split("|")
            events.requests.append((from_storage(created), booking_id, from_storage(expires)))
        for entry in exits:
            at, booking_id, status, response = entry.split("|")
            events.exits[booking_id] = (from_storage(at), status, None if response == "-" else int(response))
        for entry in completions:
            at, _booking_id, price = entry.split("|")
            events.completions.append((from_storage(at), None if price == "-" else int(price)))
        events.pro_cancels = [from_storage(entry.split("|")[0]) for entry in pro_cancels]
        return events


def _within(moment: datetime, since: datetime, now: datetime) -> bool:
    return since < moment <= now


def _median_minutes(seconds: list[int]) -> float | None:
    return round(statistics.median(seconds) / 60, 1) if seconds else None


def _daily(events: Events, today: date) -> list[dict]:
    requests = Counter(local_date(created) for created, _id, _exp in events.requests)
    confirmed = Counter(local_date(at) for at, status, _r in events.exits.values() if status == "CONFIRMED")
    completed = Counter(local_date(at) for at, _price in events.completions)
    days = [today - timedelta(days=back) for back in range(DAILY_DAYS - 1, -1, -1)]
    return [{"date": day.isoformat(), "requests": requests[day], "confirmed": confirmed[day],
             "completed": completed[day]} for day in days]


def dashboard(events: Events, now: datetime, rating: dict, premium: bool) -> dict:
    today = local_date(now)
    midnight = local_midnight(today)
    cohort = [booking_id for created, booking_id, _exp in events.requests if _within(created, now - WEEK, now)]
    outcomes = Counter(events.exits[i][1] for i in cohort if i in events.exits)
    decided = outcomes["CONFIRMED"] + outcomes["DECLINED"] + outcomes["EXPIRED"]
    responses = [events.exits[i][2] for i in cohort if i in events.exits and events.exits[i][2] is not None]
    month = [(at, price) for at, price in events.completions if _within(at, now - MONTH, now)]
    return {
        "requestsToday": sum(1 for created, _i, _e in events.requests if midnight <= created <= now),
        "pendingNow": sum(1 for created, booking_id, expires in events.requests
                          if created <= now < expires and booking_id not in events.exits),
        "acceptanceRate7d": round(outcomes["CONFIRMED"] / decided, 4) if decided else None,
        "medianResponseMinutes7d": _median_minutes(responses),
        "rating": rating,
        "completed30d": len(month),
        "cancelledByPro30d": sum(1 for at in events.pro_cancels if _within(at, now - MONTH, now)),
        "estimatedRevenue30dMad": sum(price or 0 for _at, price in month),
        "daily": _daily(events, today) if premium else None,
    }
