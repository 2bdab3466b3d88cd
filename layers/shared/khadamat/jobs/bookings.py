"""Booking jobs (SPEC §7): expire due PENDING bookings, release orphan slot locks, and retry the
confirms' follow-up tasks the stream did not finish (docs/bookings.md).

All are idempotent and safe to run twice at once: every change is a conditional
write, and a condition that no longer holds means the other run (or a user) did it.
"""

from __future__ import annotations

from datetime import timedelta

from khadamat import clock
from khadamat.dal import availability, bookings as store
from khadamat.domain.booking_rules import Status
from khadamat.domain.timeutil import from_storage
from khadamat.jobs import job
from khadamat.usecases.booking_follow_ups import retry_stuck_follow_ups
from khadamat.usecases.booking_transitions import expire

LOCK_RETENTION = timedelta(days=30)
_HOLDING_STATUSES = {Status.CONFIRMED, Status.COMPLETED}


@job("expire-bookings")
def expire_bookings() -> dict:
    """PENDING with expiresAt ≤ now → EXPIRED, read from the sparse PENDING_EXPIRY index."""
    now = clock.now()
    expired = sum(1 for booking in store.due_pending(now) if expire(booking, now))
    return {"expired": expired}


@job("release-orphan-locks")
def release_orphan_locks() -> dict:
    """Deletes locks whose booking is not CONFIRMED/COMPLETED, and locks of slots over 30 days old."""
    now = clock.now()
    locks = availability.all_locks()
    owners = {b.booking_id: b for b in store.get_bookings({lock.booking_id for lock in locks})}
    old = orphans = 0
    for lock in locks:
        if from_storage(lock.slot_start) < now - LOCK_RETENTION:
            old += availability.delete_lock_if_owned(lock)
        elif getattr(owners.get(lock.booking_id), "status", None) not in _HOLDING_STATUSES:
            orphans += availability.delete_lock_if_owned(lock)
    return {"checked": len(locks), "orphansReleased": orphans, "oldReleased": old}


@job("retry-follow-ups")
def retry_follow_ups() -> dict:
    """Follow-up tasks whose run failed, a minute after their confirm (Query of TASK_RETRY)."""
    return retry_stuck_follow_ups(clock.now())
