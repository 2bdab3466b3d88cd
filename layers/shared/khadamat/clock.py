"""The one clock every function and job reads.

In AWS it is the system clock. On the local stage, ``POST /_dev/clock`` stores an
anchor in DynamoDB (shared by every function and job, in any process); the clock
then runs on from that instant at real speed. It is read at most once per
invocation: ``begin_invocation()`` forgets the cached anchor.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from khadamat import config

_state = threading.local()


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    if not config.is_local():
        return system_now()
    offset = getattr(_state, "offset", None)
    if offset is None:
        from khadamat.dal import devclock

        offset = devclock.read_offset()
        _state.offset = offset
    return system_now() + offset


def begin_invocation() -> None:
    _state.offset = None
