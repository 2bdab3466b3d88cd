"""The one rate limiter: fixed windows aligned to the epoch, counted by conditional UpdateItem.

Key: ``LIMIT#<name>#<subject>`` / ``W#<window start, epoch seconds>``, attribute ``hits``, with
a ``ttl`` at the window's end (plus a margin: DynamoDB deletes expired items late anyway, and
a window is never read after its end). One request per hit: ``ADD hits 1`` on the condition
that the window still has room, so any number of concurrent hits accept at most ``limit``.
Windows run on the product's one clock (``khadamat.clock``), passed in as ``now``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute

from khadamat.dal.base import BaseItem, conditionally

_TTL_MARGIN_S = 60


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: timedelta

    @property
    def window_seconds(self) -> int:
        return int(self.window.total_seconds())


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the current window ends (≥ 1)


class LimitWindowItem(BaseItem):
    hits = NumberAttribute(default=0)


def _window_start(limit: Limit, now: datetime) -> int:
    seconds = limit.window_seconds
    return int(now.timestamp()) // seconds * seconds


def window_key(limit: Limit, subject: str, now: datetime) -> tuple[str, str]:
    """The key of ``subject``'s current window (for reading it with other items)."""
    return f"LIMIT#{limit.name}#{subject}", f"W#{_window_start(limit, now)}"


def retry_after(limit: Limit, now: datetime) -> int:
    end = _window_start(limit, now) + limit.window_seconds
    return max(1, math.ceil(end - now.timestamp()))


def verdict(limit: Limit, hits: int, now: datetime) -> Verdict:
    """Whether a window already holding ``hits`` has room for one more."""
    return Verdict(hits < limit.limit, retry_after(limit, now))


def window_item(limit: Limit, subject: str, now: datetime) -> LimitWindowItem:
    pk, sk = window_key(limit, subject, now)
    end = _window_start(limit, now) + limit.window_seconds
    return LimitWindowItem(pk, sk, ttl=end + _TTL_MARGIN_S)


def hit_actions(limit: Limit, item: LimitWindowItem):
    """The update and its condition counting one hit (also used inside transactions)."""
    actions = [LimitWindowItem.hits.add(1), LimitWindowItem.ttl.set(item.ttl)]
    condition = LimitWindowItem.hits.does_not_exist() | (LimitWindowItem.hits < limit.limit)
    return actions, condition


def hit(limit: Limit, subject: str, now: datetime) -> Verdict:
    """Count one hit of ``subject`` in its current window, if the window has room."""
    item = window_item(limit, subject, now)
    actions, condition = hit_actions(limit, item)
    return Verdict(conditionally(item.update, actions=actions, condition=condition), retry_after(limit, now))
