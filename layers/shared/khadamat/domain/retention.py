"""How long personal data is kept (SPEC §15, docs/privacy.md): pure rules, the clock passed in.

What DynamoDB's TTL can do (delete an item at a time written on it) is done by TTL: outbox
messages and their delivery records, read notifications. What it cannot do — erase a
booking whose status and slot decide when — is the daily ``apply-retention`` job's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from khadamat.domain.booking_rules import Status

OUTBOX_RETENTION = timedelta(days=90)           # outbox messages and delivery records
READ_NOTIFICATION_RETENTION = timedelta(days=180)  # counted from the moment it is read
BOOKING_PII_YEARS = 2                           # after the slot, for bookings that never happened

# Bookings that never took place: their people and texts go 2 years after the slot. A
# COMPLETED booking (and its review) is the pro's track record and stays.
ERASABLE_STATUSES = frozenset({
    Status.EXPIRED, Status.DECLINED, Status.CANCELLED_BY_CLIENT, Status.CANCELLED_BY_CLIENT_LATE,
    Status.CANCELLED_BY_PRO, Status.CANCELLED_AUTO_FIRST_CONFIRMED})


def ttl_at(moment: datetime) -> int:
    """DynamoDB's TTL attribute: epoch seconds."""
    return int(moment.timestamp())


def outbox_ttl(created_at: datetime) -> int:
    return ttl_at(created_at + OUTBOX_RETENTION)


def read_notification_ttl(read_at: datetime) -> int:
    return ttl_at(read_at + READ_NOTIFICATION_RETENTION)


def is_erasable(status: str) -> bool:
    return status in ERASABLE_STATUSES


def booking_erase_at(time_slot: datetime) -> datetime:
    """Two calendar years after the slot (29 February → 28 February)."""
    try:
        return time_slot.replace(year=time_slot.year + BOOKING_PII_YEARS)
    except ValueError:
        return time_slot.replace(year=time_slot.year + BOOKING_PII_YEARS, day=28)
