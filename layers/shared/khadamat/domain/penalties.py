"""Cancellation penalties (SPEC §6 Penalties)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PENALTY_WINDOW_DAYS = 30
# Late cancels in the trailing window (this one included) → (tier, booking cooldown).
_CLIENT_COOLDOWN_BY_LATE_CANCELS = {
    1: (0, None),
    2: (1, timedelta(hours=48)),
    3: (2, timedelta(days=7)),
    4: (3, timedelta(days=30)),
}
CLIENT_BAN_TIER = 4
CLIENT_BAN_AT_LATE_CANCELS = 5
PRO_SUSPEND_AT_CONSECUTIVE = 3
PRO_SUSPEND_AT_CANCELS_30D = 5


@dataclass(frozen=True, slots=True)
class ClientSanction:
    tier: int
    cooldown_until: datetime | None
    ban: bool


def window_start(now: datetime, days: int = PENALTY_WINDOW_DAYS) -> datetime:
    """The (excluded) start of the trailing window that ends ``now``."""
    return now - timedelta(days=days)


def in_window(timestamps: Iterable[datetime], now: datetime, days: int = PENALTY_WINDOW_DAYS) -> list[datetime]:
    """Timestamps in (now - days, now]: one stops counting once `days` full days have passed."""
    start = window_start(now, days)
    return [moment for moment in timestamps if start < moment <= now]


def count_in_window(timestamps: Iterable[datetime], now: datetime, days: int = PENALTY_WINDOW_DAYS) -> int:
    return len(in_window(timestamps, now, days))


def pro_cancels_after(earlier_cancels: Iterable[datetime], now: datetime) -> list[datetime]:
    """The pro's cancels of the trailing window once the one made ``now`` is counted (the same
    window as the client's late cancels)."""
    return [*in_window(earlier_cancels, now), now]


def client_late_cancel_sanction(
    late_cancels_30d: int, now: datetime, current_cooldown_until: datetime | None = None
) -> ClientSanction:
    """Sanction after a late cancel; `late_cancels_30d` includes the one just made.

    A running cooldown is never shortened: when older cancels have left the
    window, a lower tier must not end an earlier, longer cooldown.
    """
    if late_cancels_30d < 1:
        raise ValueError("late_cancels_30d counts the cancel being sanctioned, so it is at least 1")
    if late_cancels_30d >= CLIENT_BAN_AT_LATE_CANCELS:
        return ClientSanction(tier=CLIENT_BAN_TIER, cooldown_until=None, ban=True)
    tier, cooldown = _CLIENT_COOLDOWN_BY_LATE_CANCELS[late_cancels_30d]
    cooldown_until = now.astimezone(UTC) + cooldown if cooldown else None
    if current_cooldown_until and (cooldown_until is None or current_cooldown_until > cooldown_until):
        cooldown_until = current_cooldown_until
    return ClientSanction(tier=tier, cooldown_until=cooldown_until, ban=False)


def is_in_cooldown(cooldown_until: datetime | None, now: datetime) -> bool:
    return cooldown_until is not None and now < cooldown_until


def pro_should_be_suspended(cancels_30d: int, consecutive_cancels: int) -> bool:
    """Counters as they are after this cancel has been counted."""
    return consecutive_cancels >= PRO_SUSPEND_AT_CONSECUTIVE or cancels_30d >= PRO_SUSPEND_AT_CANCELS_30D
