"""A confirm's follow-up (docs/bookings.md): the pro's other PENDING requests in the hours it
now holds are declined SLOT_TAKEN by a durable task, written in the confirm's transaction and
run from the table's stream (BookingFollowUpsFunction), with a job as the safety net.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from khadamat import business_metrics as funnel
from khadamat.dal import bookings as store
from khadamat.dal import tasks
from khadamat.domain.booking_rules import Status, is_effectively_expired
from khadamat.domain.timeutil import HOUR, from_storage
from khadamat.observability import logger
from khadamat.usecases.booking_transitions import decline_slot_taken, expire

FOLLOW_UP_STUCK_AFTER = timedelta(minutes=1)


class FollowUpIncomplete(Exception):
    """A booking the task must end is still PENDING (its writes kept losing races): run it again."""


def decline_overlapping_pending(pro_id: str, hours: list[datetime], confirmed_id: str,
                                now: datetime) -> int:
    """After a confirm: the pro's other PENDING bookings in the held hours → DECLINED SLOT_TAKEN
    (EXPIRED when already past their expiry). Idempotent: each change is conditional on PENDING."""
    declined = 0
    for other in store.pro_bookings_between(pro_id, hours[0], hours[-1] + HOUR):
        if other.booking_id == confirmed_id or other.status != Status.PENDING:
            continue
        if is_effectively_expired(Status.PENDING, from_storage(other.expires_at), now):
            ended = expire(other, now)
        else:
            ended = decline_slot_taken(other, now)
            declined += ended is not None
        if ended is None and getattr(store.get_booking(other.booking_id), "status", None) == Status.PENDING:
            raise FollowUpIncomplete(f"booking {other.booking_id} is still PENDING after its retries")
    return declined


def run_follow_up(task: tasks.TaskItem, now: datetime) -> dict:
    """A confirm's follow-up task; safe to run twice, or twice at once."""
    if task.kind != tasks.DECLINE_OVERLAPPING:
        raise ValueError(f"unknown task kind {task.kind!r}")
    hours = [from_storage(hour) for hour in task.hours]
    declined = decline_overlapping_pending(task.pro_id, hours, task.confirmed_booking_id, now)
    tasks.mark_done(task, now)
    return {"taskId": task.task_id, "declined": declined}


def run_follow_up_record(record: dict, now: datetime) -> dict:
    """One DynamoDB stream record (INSERT of a TASK#… item). A failed run puts the task in the
    retry index (the retry-follow-ups job's safety net) before Lambda retries the record."""
    task = tasks.task_from_image(record["dynamodb"]["NewImage"])
    try:
        return run_follow_up(task, now)
    except Exception:
        tasks.mark_for_retry(task)
        raise


def retry_stuck_follow_ups(now: datetime) -> dict:
    """The safety net behind the stream: tasks whose run failed (GSI3 TASK_RETRY), a minute after
    they were written."""
    summary = {"ran": 0, "failed": 0}
    stuck = tasks.pending_tasks(created_before=now - FOLLOW_UP_STUCK_AFTER, limit=100)  # oldest first
    funnel.backlog_age(funnel.FOLLOW_UP_BACKLOG_AGE,
                       (now - from_storage(stuck[0].created_at)).total_seconds() if stuck else 0)
    for task in stuck:
        try:
            run_follow_up(task, now)
            summary["ran"] += 1
        except Exception:  # noqa: BLE001 - one failing task never holds back the others
            logger.exception("follow-up task failed", extra={"taskId": task.task_id})
            summary["failed"] += 1
    return summary
