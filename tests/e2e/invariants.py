"""Store invariants, checked from the table itself after concurrent requests, and race helpers.

``Store(endpoint).items()`` reads every item of the running stack's table (a test-only
full read: the truth must not depend on the indexes the code under test writes).
``violations(items)`` lists every broken invariant; a race test asserts it is empty:

- uniqueness items: each PHONE#/EMAIL# item points to an existing, not deleted user whose
  phone/email it is, and each live user has both items;
- slot locks: each ``USER#<pro>/LOCK#<slot>`` belongs to a CONFIRMED (or COMPLETED) booking
  of that pro that holds that hour; no pro hour is held by two CONFIRMED bookings;
- pending groups: each ``USER#<client>/PENDING#<city>#<category>`` holds exactly the ids of
  the PENDING bookings of that client in that city and category;
- reviews: each ``BOOKING#<id>/REVIEW`` belongs to a COMPLETED booking, by its client, about
  its pro, rating 1–5; each pro's ``rating_count``/``rating_sum`` equal the count/sum of the
  reviews about them;
- follow-ups (after the stream pump drained, ``Store.wait_for_follow_ups``): no confirm's
  follow-up task left pending, and no PENDING booking in an hour a CONFIRMED booking of its pro
  holds (the task declined or expired them);
- reminders (issue 20): each booking in the reminder index (GSI4 ``REMINDERS_DUE``) is
  CONFIRMED and its entry is the 24 h or 2 h reminder of its current hour (a reschedule moved
  it); ``held_hour_violations`` (used by the reschedule races): each CONFIRMED booking has the
  lock of every hour it holds, and a proposal it carries is for another hour than its own;
- payments: each pro's ``premium_until`` is the latest Premium end of their subscriptions
  (none without one), a paid subscription implies ``EVER_SUBSCRIBED``, each pro's ``boosts``
  has one entry per COMPLETED Boost checkout session, an ENDED subscription has ``ended_at``.
- admin name search (issue 18): each live user has exactly its two ``NAMEKEY#FIRST|LAST``
  items, each a copy of the account's summary fields (``NAME_COPY_FIELDS``) equal to its
  PROFILE item's, in GSI1 under its folded name (out of it when the name folds to nothing); a
  deleted (or absent) account has none.

The rating and payment aggregates are not checked for the seeded demo pros (accounts under
``SEEDED_EMAIL_DOMAIN``): infra/local/demo.py writes their ratings and a year of Premium
without reviews or subscriptions behind them.

The attribute names below are those stored by khadamat.dal.bookings (BookingItem,
PendingGroupItem) and khadamat.dal.availability (SlotLockItem): pynamodb attribute names,
none renamed with ``attr_name``.
"""

from __future__ import annotations

import threading
import time
import unicodedata
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
# and, beside the ids, one "<id>|<proId>|<timeSlot>|<expiresAt>" per PENDING booking (`pending_info`)
PENDING_INFO_ATTRIBUTE = "pending_info"
HOLDING = ("CONFIRMED", "COMPLETED")
# ReviewItem (BOOKING#<id>/REVIEW) and the pro's aggregate on UserItem (USER#<id>/PROFILE)
REVIEW = {"rating": "rating", "client": "client_id", "pro": "pro_id"}
RATING = {"sum": "rating_sum", "count": "rating_count"}
# khadamat.dal.payments: SubscriptionItem, CheckoutSessionItem; UserItem's monetization state
SUBSCRIPTION = {"status": "status", "period_end": "current_period_end", "ended_at": "ended_at",
                "version": "version"}
SESSION = {"pro": "pro_id", "kind": "kind", "status": "status"}
PRO_PAYMENT = {"premium_until": "premium_until", "boosts": "boosts"}
SEEDED_EMAIL_DOMAIN = "@khadamat.local"
DURATION_HOURS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H8": 8}
# khadamat.dal.tasks: a follow-up task (TASK#<id>) carries done_at once it has run (its own state;
# only a failed run puts it in an index, GSI3 TASK_RETRY)
TASK = {"prefix": "TASK#", "done": "done_at"}
FOLLOW_UP_DEADLINE_S = 30


class Store:
    def __init__(self, endpoint: str, table: str = TABLE):
        self.client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                                   aws_access_key_id="testing", aws_secret_access_key="testing")
        self.table = table

    def item(self, pk: str, sk: str) -> dict | None:
        decode = TypeDeserializer().deserialize
        found = self.client.get_item(TableName=self.table, Key={"PK": {"S": pk}, "SK": {"S": sk}},
                                     ConsistentRead=True).get("Item")
        return {k: decode(v) for k, v in found.items()} if found else None

    def wait_for_follow_ups(self, seconds: float = FOLLOW_UP_DEADLINE_S) -> bool:
        """Polls until the stream pump has run every follow-up task, i.e. every task item carries
        ``done_at`` (bounded); False on timeout. A test-side scan of the local table: the tasks'
        ids are not known to the test, and no index holds a task that has not failed."""
        deadline = time.monotonic() + seconds
        while self._undone_tasks():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _undone_tasks(self) -> bool:
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table, Select="COUNT",
            FilterExpression="begins_with(PK, :task) AND attribute_not_exists(#done)",
            ExpressionAttributeNames={"#done": TASK["done"]},
            ExpressionAttributeValues={":task": {"S": TASK["prefix"]}})
        return any(page["Count"] for page in pages)

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
    return [*_uniqueness_violations(items), *_lock_violations(items), *_counter_violations(items),
            *follow_up_violations(items), *review_violations(items), *payment_violations(items),
            *reminder_violations(items), *dashboard_violations(items), *name_copy_violations(items)]


# khadamat.dal.users.NameKeyItem: the summary fields it copies from USER#<id>/PROFILE (same
# attribute names), and the name each of the two items indexes
NAME_COPY_FIELDS = ("role", "status", "first_name", "last_name", "phone", "email", "city_id",
                    "kyc_status", "sanction_tier", "created_at")
NAME_KEYS = {"NAMEKEY#FIRST": "first_name", "NAMEKEY#LAST": "last_name"}


def _folded(name: str) -> str:
    """Case and accents folded, spaces collapsed (« Éloïse » → « eloise »), written here again."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def name_copy_violations(items: list[dict]) -> list[str]:
    profiles = {i["PK"]: i for i in items if i["PK"].startswith("USER#") and i["SK"] == "PROFILE"}
    copies = defaultdict(dict)
    for item in items:
        if item["PK"].startswith("USER#") and item["SK"] in NAME_KEYS:
            copies[item["PK"]][item["SK"]] = item
    problems = []
    for pk in set(profiles) | set(copies):
        profile, found = profiles.get(pk), copies.get(pk, {})
        if profile is None or profile.get("status") == "DELETED":
            problems += [f"{pk}/{sk} outlives its account" for sk in found]
            continue
        if set(found) != set(NAME_KEYS):
            problems.append(f"{pk} has name keys {sorted(found)}, not {sorted(NAME_KEYS)}")
        for sk, copy in found.items():
            stale = [f for f in NAME_COPY_FIELDS if copy.get(f) != profile.get(f)]
            if stale:
                problems.append(f"{pk}/{sk} copy differs from its account in {stale}")
            folded = _folded(str(profile.get(NAME_KEYS[sk]) or ""))
            index = (f"USERNAME#{folded[:1]}", f"{folded}#{pk[5:]}") if folded else (None, None)
            if (copy.get("GSI1PK"), copy.get("GSI1SK")) != index:
                problems.append(f"{pk}/{sk} indexed as {copy.get('GSI1SK')}, not under its name")
    return problems


# khadamat.dal.reschedule: the next reminder of a CONFIRMED booking, on the booking item
REMINDER = {"key": "GSI4PK", "value": "REMINDERS_DUE", "sort": "GSI4SK"}
REMINDER_OFFSETS = (timedelta(hours=24), timedelta(hours=2))
PROPOSED_SLOT = "proposal_time_slot"


def reminder_violations(items: list[dict]) -> list[str]:
    problems = []
    for booking in _bookings(items).values():
        if booking.get(REMINDER["key"]) != REMINDER["value"]:
            continue
        due = _parse(str(booking.get(REMINDER["sort"], "")).split("#", 1)[0])
        if booking.get(BOOKING["status"]) != "CONFIRMED":
            problems.append(f"{booking['PK']} in the reminder index while {booking.get(BOOKING['status'])}")
        elif due not in [_parse(booking[BOOKING["slot"]]) - ahead for ahead in REMINDER_OFFSETS]:
            problems.append(f"{booking['PK']} reminder at {due:%Y-%m-%dT%H:%MZ} is not one of its hour's")
    return problems


def held_hour_violations(items: list[dict]) -> list[str]:
    """Each CONFIRMED booking holds the lock of each of its hours; a proposal is for another hour."""
    locks = {(i["PK"][5:], _parse(i["SK"][5:])): i.get(LOCK_BOOKING_ATTRIBUTE) for i in items
             if i["PK"].startswith("USER#") and i["SK"].startswith("LOCK#")}
    problems = []
    for booking_id, booking in _bookings(items).items():
        if booking.get(BOOKING["status"]) != "CONFIRMED":
            continue
        problems += [f"CONFIRMED {booking_id} lacks the lock of {hour:%Y-%m-%dT%H:%MZ}"
                     for hour in held_hours(booking) if locks.get((booking.get(BOOKING["pro"]), hour)) != booking_id]
        if booking.get(PROPOSED_SLOT) and booking.get(PROPOSED_SLOT) == booking.get(BOOKING["slot"]):
            problems.append(f"{booking_id} carries a proposal for its own hour")
    return problems


# ---- pro dashboard counters (issue 19, khadamat.dal.pro_stats): one entry per event, exactly
def dashboard_violations(items: list[dict]) -> list[str]:
    """Each booking has one `requests` entry in its pro's hour items; one `exits` entry once it
    left PENDING (none while PENDING); one `completions` entry if COMPLETED; one `pro_cancels`
    entry if CANCELLED_BY_PRO. Written by the booking transactions: never lost, never twice."""
    seen: dict[str, Counter] = {}
    for item in items:
        if not item["PK"].startswith("PROSTATS#"):
            continue
        for name in ("requests", "exits", "completions", "pro_cancels"):
            for entry in item.get(name) or ():
                seen.setdefault(entry.split("|")[1], Counter())[name] += 1
    problems = []
    for booking_id, booking in _bookings(items).items():
        counts = seen.get(booking_id, Counter())
        status = booking.get("status")
        expected = Counter({"requests": 1, "exits": int(status != "PENDING"),
                            "completions": int(status == "COMPLETED"),
                            "pro_cancels": int(status == "CANCELLED_BY_PRO")})
        if +counts != +expected:
            problems.append(f"dashboard entries of booking {booking_id} ({status}): {dict(counts)}")
    return problems


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


def follow_up_violations(items: list[dict]) -> list[str]:
    problems = [f"follow-up task {i['PK']} still pending" for i in items
                if i["PK"].startswith(TASK["prefix"]) and not i.get(TASK["done"])]
    bookings = _bookings(items).values()
    held = {(b.get(BOOKING["pro"]), hour) for b in bookings
            if b.get(BOOKING["status"]) == "CONFIRMED" for hour in held_hours(b)}
    problems += [f"PENDING booking {b['PK']} in an hour its pro's CONFIRMED booking holds"
                 for b in bookings if b.get(BOOKING["status"]) == "PENDING"
                 and (b.get(BOOKING["pro"]), _parse(b[BOOKING["slot"]])) in held]
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
        problems += _pending_info_violations(counter, stored, items)
    problems += [f"no pending group for {key} with {len(ids)} PENDING" for key, ids in truth.items() if ids]
    return problems


def _audited_pros(items: list[dict]) -> dict[str, dict]:
    """The pros whose aggregates come only from the API (every pro but the seeded demo ones)."""
    return {i["PK"][5:]: i for i in items
            if i["PK"].startswith("USER#") and i["SK"] == "PROFILE" and i.get("role") == "PRO"
            and not str(i.get("email") or "").endswith(SEEDED_EMAIL_DOMAIN)}


def review_violations(items: list[dict]) -> list[str]:
    bookings = _bookings(items)
    problems = []
    truth: dict[str, list[int]] = defaultdict(list)
    for review in (i for i in items if i["PK"].startswith("BOOKING#") and i["SK"] == "REVIEW"):
        booking = bookings.get(review["PK"][8:])
        if booking is None or booking.get(BOOKING["status"]) != "COMPLETED":
            problems.append(f"review {review['PK']} of a booking that is not COMPLETED")
        elif (review.get(REVIEW["client"]), review.get(REVIEW["pro"])) != \
                (booking.get(BOOKING["client"]), booking.get(BOOKING["pro"])):
            problems.append(f"review {review['PK']} not by the booking's client about its pro")
        if not 1 <= int(review.get(REVIEW["rating"]) or 0) <= 5:
            problems.append(f"review {review['PK']} rating {review.get(REVIEW['rating'])}")
        truth[review.get(REVIEW["pro"])].append(int(review.get(REVIEW["rating"]) or 0))
    for pro_id, pro in _audited_pros(items).items():
        stored = (int(pro.get(RATING["count"]) or 0), int(pro.get(RATING["sum"]) or 0))
        ratings = truth.get(pro_id, [])
        if stored != (len(ratings), sum(ratings)):
            problems.append(f"pro {pro_id} rating count/sum {stored}, "
                            f"truth {(len(ratings), sum(ratings))}")
    return problems


def _premium_end(subscription: dict) -> str | None:
    """khadamat.domain.subscriptions.premium_until on the stored item (storage strings sort as time)."""
    period_end = subscription.get(SUBSCRIPTION["period_end"])
    if period_end and subscription.get(SUBSCRIPTION["status"]) == "ENDED":
        return min(period_end, subscription.get(SUBSCRIPTION["ended_at"]) or period_end)
    return period_end


def payment_violations(items: list[dict]) -> list[str]:
    problems = []
    subscriptions: dict[str, list[dict]] = defaultdict(list)
    for sub in (i for i in items if i["PK"].startswith("USER#") and i["SK"].startswith("SUBSCRIPTION#")):
        subscriptions[sub["PK"][5:]].append(sub)
        if sub.get(SUBSCRIPTION["status"]) == "ENDED" and not sub.get(SUBSCRIPTION["ended_at"]):
            problems.append(f"subscription {sub['PK']} {sub['SK']} ENDED without ended_at")
        if int(sub.get(SUBSCRIPTION["version"]) or 0) < 1:
            problems.append(f"subscription {sub['PK']} {sub['SK']} without a version")
    ever = {i["PK"][5:] for i in items if i["PK"].startswith("USER#") and i["SK"] == "EVER_SUBSCRIBED"}
    boosts_paid = Counter(i.get(SESSION["pro"]) for i in items
                          if i["PK"].startswith("CHECKOUT#") and i["SK"] == "SESSION"
                          and i.get(SESSION["kind"]) == "BOOST" and i.get(SESSION["status"]) == "COMPLETED")
    for pro_id, pro in _audited_pros(items).items():
        ends = [end for end in map(_premium_end, subscriptions.get(pro_id, [])) if end]
        if pro.get(PRO_PAYMENT["premium_until"]) != max(ends, default=None):
            problems.append(f"pro {pro_id} premium_until {pro.get(PRO_PAYMENT['premium_until'])}, "
                            f"truth {max(ends, default=None)}")
        if ends and pro_id not in ever:
            problems.append(f"pro {pro_id} paid a subscription but has no EVER_SUBSCRIBED")
        if len(pro.get(PRO_PAYMENT["boosts"]) or []) != boosts_paid.get(pro_id, 0):
            problems.append(f"pro {pro_id} has {len(pro.get(PRO_PAYMENT['boosts']) or [])} boosts, "
                            f"{boosts_paid.get(pro_id, 0)} paid")
    return problems


def _pending_info_violations(counter: dict, stored: set, items: list[dict]) -> list[str]:
    if PENDING_INFO_ATTRIBUTE not in counter and not stored:
        return []
    bookings = _bookings(items)
    fields = (BOOKING["pro"], BOOKING["slot"], "expires_at")
    truth = {"|".join((i, *(str(bookings.get(i, {}).get(f, "?")) for f in fields))) for i in stored}
    described = set(counter.get(PENDING_INFO_ATTRIBUTE) or ())
    if described == truth:
        return []
    return [f"pending group {counter['PK']} {counter['SK']} describes {sorted(described)}, truth {sorted(truth)}"]


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
    assert store.wait_for_follow_ups(), "follow-up tasks still pending: is the stream pump running?"
    problems = violations(store.items())
    assert not problems, "\n".join(problems)
