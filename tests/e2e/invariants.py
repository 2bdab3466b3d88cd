"""Store invariants, checked from the table itself after concurrent requests, and race helpers.

``Store(endpoint).items()`` reads every item of the running stack's table (a test-only
full read: the truth must not depend on the indexes the code under test writes).
``violations(items)`` lists every broken invariant; a race test asserts it is empty:

- uniqueness items: each PHONE#/EMAIL# item points to an existing, not deleted user whose
  phone/email it is, and each live user has both items;
- slot locks: each ``USER#<pro>/LOCK#<slot>`` belongs to a CONFIRMED (or COMPLETED) booking
  of that pro that holds that hour; no pro hour is held by two CONFIRMED bookings;
- pending groups: each ``USER#<client>/PENDING#<city>#<category>`` holds exactly the ids of
  the PENDING bookings of that client in that city and category.

The attribute names below are those stored by khadamat.dal.bookings (BookingItem,
PendingGroupItem) and khadamat.dal.availability (SlotLockItem): pynamodb attribute names,
none renamed with ``attr_name``.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import boto3
from boto3.dynamodb.types import TypeDeserializer

from infra.local.template import REGION, physical_name

TABLE = physical_name("KhadamatTable")
BOOKING = {"status": "status", "pro": "pro_id", "client": "client_id", "slot": "time_slot",
           "duration": "estimated_duration", "city": "city_id", "category": "category_id"}
LOCK_BOOKING_ATTRIBUTE = "booking_id"          # SlotLockItem.booking_id
# PendingGroupItem (USER#<client>/PENDING#<city>#<category>) stores the set of the client's
# PENDING booking ids (`pending_ids`, absent when empty) and a `version`.
PENDING_IDS_ATTRIBUTE = "pending_ids"
HOLDING = ("CONFIRMED", "COMPLETED")
DURATION_HOURS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H8": 8}


class Store:
    def __init__(self, endpoint: str, table: str = TABLE):
        self.client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                                   aws_access_key_id="testing", aws_secret_access_key="testing")
        self.table = table

    def items(self) -> list[dict]:
        decode = TypeDeserializer().deserialize
        found = []
        for page in self.client.get_paginator("scan").paginate(TableName=self.table):
            found += [{k: decode(v) for k, v in item.items()} for item in page["Items"]]
        return found


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(timezone.utc)


def held_hours(booking: dict) -> list[datetime]:
    start = _parse(booking[BOOKING["slot"]])
    hours = DURATION_HOURS.get(booking.get(BOOKING["duration"]) or "H1", 1)
    return [start + timedelta(hours=n) for n in range(hours)]


def violations(items: list[dict]) -> list[str]:
    return [*_uniqueness_violations(items), *_lock_violations(items), *_counter_violations(items)]


def _uniqueness_violations(items: list[dict]) -> list[str]:
    users = {i["PK"][5:]: i for i in items if i["PK"].startswith("USER#") and i["SK"] == "PROFILE"}
    problems = []
    claimed = set()
    for item in items:
        kind = item["PK"].split("#", 1)[0]
        if item["SK"] != "UNIQUE" or kind not in ("PHONE", "EMAIL"):
            continue
        owner = users.get(item.get("user_id"))
        value = item["PK"].split("#", 1)[1]
        field = kind.lower()
        if owner is None or owner.get("status") == "DELETED" or owner.get(field) != value:
            problems.append(f"{item['PK']} points to {item.get('user_id')}, not a live owner of it")
        claimed.add((field, item.get("user_id")))
    for user_id, user in users.items():
        if user.get("status") == "DELETED":
            continue
        for field in ("phone", "email"):
            if user.get(field) and (field, user_id) not in claimed:
                problems.append(f"user {user_id} has no {field.upper()}# uniqueness item")
    return problems


def _bookings(items: list[dict]) -> dict[str, dict]:
    return {i["PK"][8:]: i for i in items if i["PK"].startswith("BOOKING#") and i["SK"] == "BOOKING"}


def _lock_violations(items: list[dict]) -> list[str]:
    bookings = _bookings(items)
    problems = []
    for lock in (i for i in items if i["PK"].startswith("USER#") and i["SK"].startswith("LOCK#")):
        booking = bookings.get(lock.get(LOCK_BOOKING_ATTRIBUTE))
        pro_id, slot = lock["PK"][5:], _parse(lock["SK"][5:])
        if booking is None or booking.get(BOOKING["status"]) not in HOLDING:
            problems.append(f"lock {lock['PK']} {lock['SK']} without a CONFIRMED booking")
        elif booking.get(BOOKING["pro"]) != pro_id or slot not in held_hours(booking):
            problems.append(f"lock {lock['PK']} {lock['SK']} is not an hour its booking holds")
    holders = Counter((b.get(BOOKING["pro"]), hour) for b in bookings.values()
                      if b.get(BOOKING["status"]) == "CONFIRMED" for hour in held_hours(b))
    problems += [f"pro {pro} hour {hour:%Y-%m-%dT%H:%MZ} held by {n} CONFIRMED bookings"
                 for (pro, hour), n in holders.items() if n > 1]
    return problems


def _counter_violations(items: list[dict]) -> list[str]:
    truth: dict[tuple, set] = defaultdict(set)
    for booking_id, booking in _bookings(items).items():
        if booking.get(BOOKING["status"]) == "PENDING":
            key = (booking.get(BOOKING["client"]), booking.get(BOOKING["city"]),
                   booking.get(BOOKING["category"]))
            truth[key].add(booking_id)
    problems = []
    for counter in (i for i in items if i["PK"].startswith("USER#") and i["SK"].startswith("PENDING#")):
        _, city, category = counter["SK"].split("#", 2)
        key = (counter["PK"][5:], city, category)
        actual = truth.pop(key, set())
        stored = set(counter.get(PENDING_IDS_ATTRIBUTE) or ())
        if stored != actual:
            problems.append(f"pending group {counter['PK']} {counter['SK']} = {sorted(stored)}, "
                            f"truth {sorted(actual)}")
    problems += [f"no pending group for {key} with {len(ids)} PENDING" for key, ids in truth.items() if ids]
    return problems


# ----------------------------------------------------------------- race helpers


def race(calls: list) -> list:
    """Runs every call in its own thread, all released together; their results, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def assert_store_consistent(store) -> None:
    problems = violations(store.items())
    assert not problems, "\n".join(problems)
