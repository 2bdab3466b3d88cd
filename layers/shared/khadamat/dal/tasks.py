"""Durable follow-up tasks: written in the same transaction as the change that calls for them.

Key: TASK#<taskId> / <kind>. Kind DECLINE_OVERLAPPING (a confirm's follow-up: the pro's other
PENDING bookings in the held hours → DECLINED, SLOT_TAKEN).
The table's stream carries each new task to BookingFollowUpsFunction (FilterCriteria on the
INSERT of this key shape); a run sets ``done_at`` (the task's own "done" signal, by key).
GSI3: TASK_RETRY / <createdAt>#<taskId> only after a FAILED run (sparse, like the
notifications' NOTIF_RETRY: a task that runs first time never pays for an index entry); the
retry-follow-ups job Queries it. Like the outbox (dal.outbox): no dual write, the task exists if
and only if its transaction committed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from khadamat.dal.base import GSI3, BaseItem, conditionally, get_or_none, oldest_in
from khadamat.domain.timeutil import to_storage

RETRY_PK = "TASK_RETRY"
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

    retry = GSI3()


def new_decline_overlapping_task(*, pro_id: str, hours: list[datetime], confirmed_booking_id: str,
                                 now: datetime, correlation_id: str | None = None) -> TaskItem:
    task_id, created_at = str(uuid.uuid4()), to_storage(now)
    return TaskItem(f"TASK#{task_id}", DECLINE_OVERLAPPING, task_id=task_id, kind=DECLINE_OVERLAPPING,
                    pro_id=pro_id, hours=[to_storage(hour) for hour in hours],
                    confirmed_booking_id=confirmed_booking_id, created_at=created_at,
                    correlation_id=correlation_id)


def task_from_image(image: dict) -> TaskItem:
    """The task of a stream record's NewImage (DynamoDB JSON)."""
    return TaskItem.from_raw_data(image)


def pending_tasks(created_before: datetime | None = None, limit: int = 25,
                  newest_first: bool = False) -> list[TaskItem]:
    """Tasks whose run failed and that are not done yet, oldest first unless asked (a Query of
    the sparse GSI3 TASK_RETRY, never a scan)."""
    return oldest_in(TaskItem.retry, RETRY_PK, TaskItem.GSI3SK, created_before, limit, newest_first)


def get_task(pk: str, sk: str = DECLINE_OVERLAPPING) -> TaskItem | None:
    """A task by key, strongly consistent (whether it is done: ``done_at``)."""
    return get_or_none(TaskItem, pk, sk, consistent_read=True)


def mark_done(task: TaskItem, now: datetime) -> bool:
    """The task is done (and leaves the retry index if a failed run put it there: removing absent
    index keys writes no index entry); False when another run already did it (harmless)."""
    return _update_unless_done(task, [
        TaskItem.done_at.set(to_storage(now)), TaskItem.GSI3PK.remove(), TaskItem.GSI3SK.remove(),
        TaskItem.ttl.set(int((now + DONE_KEPT_FOR).timestamp()))])


def mark_for_retry(task: TaskItem) -> bool:
    """A run failed: the task enters GSI3 TASK_RETRY, where the retry-follow-ups job finds it
    (only failures pay for an index entry). No write if it is there already or done."""
    return _update_unless_done(task, [TaskItem.GSI3PK.set(RETRY_PK),
                                      TaskItem.GSI3SK.set(f"{task.created_at}#{task.task_id}")],
                               TaskItem.GSI3PK.does_not_exist())


def _update_unless_done(task: TaskItem, actions: list, condition=None) -> bool:
    unless_done = TaskItem.PK.exists() & TaskItem.done_at.does_not_exist()
    return conditionally(TaskItem(task.PK, task.SK).update, actions=actions,
                         condition=unless_done if condition is None else unless_done & condition)
