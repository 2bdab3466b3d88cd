"""Time rules: UTC in storage, Africa/Casablanca on the wire.

The zone is loaded from the pinned ``tzdata`` package, never from the host's
/usr/share/zoneinfo: host data older than IANA 2026c still says +01:00 after
Morocco's switch to permanent UTC+00 on 2026-09-20.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

ZONE_KEY = "Africa/Casablanca"


def _load_zone_from_tzdata(key: str) -> ZoneInfo:
    area, city = key.split("/")
    with resources.files(f"tzdata.zoneinfo.{area}").joinpath(city).open("rb") as tzfile:
        return ZoneInfo.from_file(tzfile, key=key)


CASABLANCA = _load_zone_from_tzdata(ZONE_KEY)
HOUR = timedelta(hours=1)
_STORAGE_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_local_iso(moment: datetime) -> str:
    """ISO-8601 with the Africa/Casablanca offset of that instant (API output)."""
    return moment.astimezone(CASABLANCA).isoformat(timespec="seconds")


def parse_timestamp(text: str) -> datetime:
    """API input: with an offset or Z as given, without one as Casablanca wall time.

    Returns an aware UTC datetime; raises ValueError on anything unparsable.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("timestamp must be a non-empty ISO-8601 string")
    parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CASABLANCA)
    return parsed.astimezone(UTC)


def to_storage(moment: datetime) -> str:
    """Fixed-width UTC string: sorts lexicographically in the same order as time."""
    return moment.astimezone(UTC).strftime(_STORAGE_FORMAT)


def from_storage(text: str) -> datetime:
    return datetime.strptime(text, _STORAGE_FORMAT).replace(tzinfo=UTC)


def is_hour_aligned(moment: datetime) -> bool:
    """Slots start on the hour, in local time (the offsets here are whole hours)."""
    local = moment.astimezone(CASABLANCA)
    return local.minute == 0 and local.second == 0 and local.microsecond == 0


def local_date(moment: datetime):
    return moment.astimezone(CASABLANCA).date()


def local_midnight(day) -> datetime:
    """UTC instant of 00:00 Casablanca wall time on a local date."""
    return datetime(day.year, day.month, day.day, tzinfo=CASABLANCA).astimezone(UTC)
