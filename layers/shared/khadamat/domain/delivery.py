"""Pure notification rules: channels, delivery units, what a WhatsApp message says, when to give up."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum


class Channel(StrEnum):
    WHATSAPP = "WHATSAPP"
    PUSH = "PUSH"
    INBOX = "INBOX"


class DevicePlatform(StrEnum):
    IOS = "IOS"
    ANDROID = "ANDROID"
    WEB = "WEB"


# A claim older than this is taken to be from a crashed attempt and may be taken over.
SEND_LEASE = timedelta(minutes=2)
# The redelivery job picks up failed messages (NOTIF_RETRY) after this (the stream had its chance)...
STUCK_AFTER = timedelta(minutes=5)
# ...and stops retrying them after this: they move to the NOTIF_FAILED index for an operator.
GIVE_UP_AFTER = timedelta(hours=24)


def push_unit(token: str) -> str:
    """One delivery unit per device, so that a retry never re-sends to devices already reached."""
    return f"PUSH#{hashlib.sha256(token.encode()).hexdigest()[:24]}"


def whatsapp_text(title: str, body: str) -> str:
    return f"*{title}*\n{body}"


def is_stuck(created_at: datetime, now: datetime) -> bool:
    return now - created_at >= STUCK_AFTER


def should_give_up(created_at: datetime, now: datetime) -> bool:
    return now - created_at >= GIVE_UP_AFTER


# ---------------------------------------------------------------- notification preferences (SPEC §15)
# The API's preference names and the channels they switch off. The inbox has none: it always
# gets its item. "sms" is for the SMS notifications to come (an OTP code the user asks for is
# not a notification and ignores preferences).
PREFERENCE_CHANNELS = {"whatsapp": Channel.WHATSAPP.value, "push": Channel.PUSH.value, "sms": "SMS"}


def preferences_view(muted_channels: set[str] | None) -> dict[str, bool]:
    """Every preference on unless its channel was turned off (the default: all on)."""
    muted = muted_channels or set()
    return {name: channel not in muted for name, channel in PREFERENCE_CHANNELS.items()}


def muted_channels_of(preferences: dict[str, bool]) -> set[str]:
    return {PREFERENCE_CHANNELS[name] for name, wanted in preferences.items() if not wanted}


def channel_allowed(channel: str, muted_channels: set[str] | None) -> bool:
    """A channel the recipient turned off gets nothing; the inbox always gets its item."""
    return channel == Channel.INBOX or channel not in (muted_channels or set())
