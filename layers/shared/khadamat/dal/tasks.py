"""Durable follow-up tasks: written in the same transaction as the change that calls for them.

Key: TASK#<taskId> / <kind>. Kind DECLINE_OVERLAPPING (a confirm's follow-up: the pro's other
PENDING bookings in the held hours → DECLINED, SLOT_TAKEN).
GSI3: TASK_PENDING / <createdAt>#<taskId> until the task has run (sparse: removed when done).
The table's stream carries each new task to BookingFollowUpsFunction (FilterCriteria on the
INSERT of this key shape); the retry job and the local pump read the pending index. Like the
outbox (dal.outbox): no dual write, the task exists if and only if its transaction committed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from khadamat.dal.base import GSI3, BaseItem, oldest_in, conditionally
from khadamat.domain.timeutil import to_storage

PENDING_PK = "TASK_PENDING"
DECLINE_OVERLAPPING = "DECLINE_OVERLAPPING"
DONE_KEPT_FOR = timedelta(days=7)  # a done task stays readable a week (ttl), then DynamoDB drops it


class TaskItem(BaseItem):
    task_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    pro_id = UnicodeAttribute()
    hours = ListAttribute(of=UnicodeAttribute)  # storage timestamps of the held hours, in order
    confirmed_booking_id = UnicodeAttribute()
    correlation_id = UnicodeAttribute(null=True)  # the booking's originating API request (logs)
    created_at = UnicodeAttribute()
    done_at = UnicodeAttribute(null=True)

    pending = GSI3()


def new_decline_overlapping_task(*, pro_id: str, hours: list[datetime], confirmed_booking_id: str,
                                 now: datetime, correlation_id: str | None = None) -> TaskItem:
    task_id, created_at = str(uuid.uuid4()), to_storage(now)
    return TaskItem(f"TASK#{task_id}", DECLINE_OVERLAPPING, task_id=task_id, kind=DECLINE_OVERLAPPING,
                    pro_id=pro_id, hours=[to_storage(hour) for hour in hours],
                    confirmed_booking_id=confirmed_booking_id, created_at=created_at,
                    correlation_id=correlation_id, GSI3PK=PENDING_PK, GSI3SK=f"{created_at}#{task_id}")


def task_from_image(image: dict) -> TaskItem:
    """The task of a stream record's NewImage (DynamoDB JSON)."""
    return TaskItem.from_raw_data(image)


def pending_tasks(created_before: datetime | None = None, limit: int = 25,
                  newest_first: bool = False) -> list[TaskItem]:
    """Tasks not run yet, oldest first unless asked (a Query of the sparse GSI3, never a scan)."""
    return oldest_in(TaskItem.pending, PENDING_PK, TaskItem.GSI3SK, created_before, limit, newest_first)


def mark_done(task: TaskItem, now: datetime) -> bool:
    """The task leaves the pending index; False when another run already did it (harmless)."""
    return conditionally(TaskItem(task.PK, task.SK).update, actions=[
        TaskItem.done_at.set(to_storage(now)), TaskItem.GSI3PK.remove(), TaskItem.GSI3SK.remove(),
        TaskItem.ttl.set(int((now + DONE_KEPT_FOR).timestamp()))],
        condition=TaskItem.GSI3PK == PENDING_PK)
