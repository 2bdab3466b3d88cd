"""The local stage's shared clock offset (an item every function and job reads)."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import NumberAttribute

from khadamat.dal.base import BaseItem, get_or_none

_KEY = ("DEV#CLOCK", "CLOCK")


class ClockItem(BaseItem):
    offset_seconds = NumberAttribute()


def read_offset() -> timedelta:
    item = get_or_none(ClockItem, *_KEY)
    return timedelta(seconds=float(item.offset_seconds)) if item else timedelta(0)


def write_offset(offset: timedelta) -> None:
    ClockItem(*_KEY, offset_seconds=offset.total_seconds()).save()


def reset() -> None:
    ClockItem(*_KEY).delete()
