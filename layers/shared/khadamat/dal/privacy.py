"""Reads for the data export and writes of the retention job (SPEC §15, docs/privacy.md).

Every read is a Query of the user's own partition or of an index partition keyed by the user
(never a Scan), paginated to the end: the export is bounded by the user's own data.

Keys read:
  USER#<id> / *                        the user's partition (consents, penalties, notifications,
                                       subscriptions, devices, ...): one paginated Query
  GSI1 CLIENT#<id>, GSI2 PROBOOKINGS#<id>   the user's bookings as client / as pro
  BOOKING#<id> / *                     a booking's events and review: one Query per booking
  GSI4 REPORTER#<id>                   the reports the user filed
Retention:
  GSI3 BOOKING_RETENTION / <eraseAt>#<bookingId>   bookings due for erasure (dal.bookings)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.attributes import MapAttribute

from khadamat.dal.base import BaseItem, connection, conditionally
from khadamat.dal.bookings import RETENTION_DUE, BookingItem, booking_pk
from khadamat.dal.reports import ReportItem
from khadamat.domain.timeutil import to_storage


def _pages(**query) -> Iterator[dict]:
    """Every raw item of a Query, page after page (DynamoDB JSON)."""
    client, table = connection().client, BaseItem.Meta.table_name
    start = None
    while True:
        reply = client.query(TableName=table, **query, **({"ExclusiveStartKey": start} if start else {}))
        yield from reply.get("Items", [])
        start = reply.get("LastEvaluatedKey")
        if not start:
            return


def partition(pk: str) -> list[dict]:
    """Every item of one partition, raw, in sort key order."""
    return list(_pages(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": pk}}))


def attribute_value(raw: dict, name: str):
    """One attribute of a raw item (DynamoDB JSON, as ``partition`` returns it) as a Python value,
    None when absent: decoded as pynamodb decodes an untyped map (numbers as int or float, sets
    as sets). pynamodb's own decoding, so that the export needs no boto3 (cold start)."""
    value = raw.get(name)
    return MapAttribute().deserialize({name: value})[name] if value is not None else None


def user_partition(user_id: str) -> list[dict]:
    return partition(f"USER#{user_id}")


def bookings_of(user_id: str, as_pro: bool) -> list[BookingItem]:
    """All of the user's bookings by slot (GSI2 for a pro, GSI1 for a client), every page."""
    if as_pro:
        return list(BookingItem.by_pro.query(f"PROBOOKINGS#{user_id}"))
    return list(BookingItem.by_client.query(f"CLIENT#{user_id}"))


def booking_partition(booking_id: str) -> list[dict]:
    return partition(booking_pk(booking_id))


def reports_filed_by(user_id: str) -> list[ReportItem]:
    return list(ReportItem.by_reporter.query(f"REPORTER#{user_id}"))


# ---------------------------------------------------------------- retention
def bookings_due_for_erasure(now: datetime, limit: int) -> list[BookingItem]:
    """Bookings whose erasure time has come, oldest first: a Query of the sparse index."""
    return list(BookingItem.by_expiry.query(RETENTION_DUE, BookingItem.GSI3SK <= f"{to_storage(now)}#~",
                                            limit=limit))


def erase_booking(booking_id: str) -> bool:
    """Delete the booking's partition (events, review, anything kept under it), the booking item
    last and only while it is still due: True for the run that erased it. Deletes are
    idempotent, so two runs at once (or a retry after a crash) leave the same state."""
    pk = booking_pk(booking_id)
    keys = [(raw["PK"]["S"], raw["SK"]["S"]) for raw in partition(pk)]
    with BaseItem.batch_write() as batch:
        for item_pk, sk in keys:
            if sk != "BOOKING":
                batch.delete(BaseItem(item_pk, sk))
    return conditionally(BookingItem(pk, "BOOKING").delete, condition=BookingItem.GSI3PK == RETENTION_DUE)
