"""Slot locks, what makes a booked pro hour unavailable (keys under USER#<proId>).

Availability exceptions live in the pro's profile item (`UserItem.availability_exceptions`,
written by dal.pros), so whoever reads the pro has them.

  USER#<proId> / LOCK#<slotStartUtc>      a slot lock: unique per pro hour by its key
                 GSI2: LOCKS / <slotStartUtc>#<proId>   (the orphan-lock sweep reads it by time)

Slot locks are only ever written and deleted inside booking transactions (dal.bookings),
except by the orphan-lock sweep (``all_locks``, ``delete_lock_if_owned``).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from khadamat.dal.base import GSI2, BaseItem, conditionally
from khadamat.domain.timeutil import from_storage, to_storage


def pro_pk(pro_id: str) -> str:
    return f"USER#{pro_id}"


class SlotLockItem(BaseItem):
    pro_id = UnicodeAttribute()
    slot_start = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    created_at = UnicodeAttribute()

    by_slot_time = GSI2()


def lock_key(pro_id: str, slot_start: datetime) -> tuple[str, str]:
    return pro_pk(pro_id), f"LOCK#{to_storage(slot_start)}"


def new_lock(pro_id: str, slot_start: datetime, booking_id: str, now: datetime) -> SlotLockItem:
    slot = to_storage(slot_start)
    return SlotLockItem(*lock_key(pro_id, slot_start), pro_id=pro_id, slot_start=slot,
                        booking_id=booking_id, created_at=to_storage(now),
                        GSI2PK="LOCKS", GSI2SK=f"{slot}#{pro_id}")


def locked_starts(pro_id: str, start: datetime, end: datetime) -> list[datetime]:
    """Slot starts locked in [start, end)."""
    condition = SlotLockItem.SK.between(f"LOCK#{to_storage(start)}", f"LOCK#{to_storage(end)}")
    return [from_storage(lock.slot_start) for lock in SlotLockItem.query(pro_pk(pro_id), condition)
            if from_storage(lock.slot_start) < end]


def all_locks() -> list[SlotLockItem]:
    """Every slot lock, by slot time (the sparse LOCKS partition of GSI2, never a scan)."""
    return list(SlotLockItem.by_slot_time.query("LOCKS"))


def delete_lock_if_owned(lock: SlotLockItem) -> bool:
    """Deletes the lock while it still holds the same booking; False when it moved on."""
    return conditionally(lock.delete, condition=SlotLockItem.booking_id == lock.booking_id)
