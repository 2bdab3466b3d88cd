"""Local-stage records: what the local notification stand-ins would have sent."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from khadamat.dal.base import BaseItem, conditionally, get_or_none

SENT_PK = "DEV#SENT"


class SentMessageItem(BaseItem):
    channel = UnicodeAttribute()
    message = JSONAttribute()


def record_sent(sort_key: str, channel: str, message: dict) -> None:
    SentMessageItem(SENT_PK, sort_key, channel=channel, message=message).save()


def list_sent() -> list[dict]:
    return [{"channel": item.channel, **item.message} for item in SentMessageItem.query(SENT_PK)]


# ---------------------------------------------------------------- local Verify stand-in
class LocalCodeItem(BaseItem):
    """``DEV#VERIFY#<e164>`` / ``CODE``: the pending code of a number, hashed (ttl = expiry)."""

    digest = UnicodeAttribute()
    expires_at = NumberAttribute()
    checks = NumberAttribute(default=0)


def _code_key(e164: str) -> tuple[str, str]:
    return f"DEV#VERIFY#{e164}", "CODE"


def save_local_code(e164: str, digest: str, expires_at: datetime) -> None:
    """A new code replaces the pending one (its checks start again), as Verify does."""
    expiry = int(expires_at.timestamp())
    LocalCodeItem(*_code_key(e164), digest=digest, expires_at=expiry, checks=0, ttl=expiry).save()


def count_local_check(e164: str, now: datetime, max_checks: int) -> str | None:
    """Counts one check of the pending code atomically; its digest, or None when there is no
    live code or it had its ``max_checks``."""
    item = LocalCodeItem(*_code_key(e164))
    counted = conditionally(item.update, actions=[LocalCodeItem.checks.add(1)],
                            condition=LocalCodeItem.PK.exists() & (LocalCodeItem.checks < max_checks)
                            & (LocalCodeItem.expires_at > int(now.timestamp())))
    return item.digest if counted else None


def forget_local_code(e164: str) -> None:
    LocalCodeItem(*_code_key(e164)).delete()


# ---------------------------------------------------------------- local Stripe stand-in
class LocalStripeSessionItem(BaseItem):
    """``DEV#STRIPE#<sessionId>`` / ``SESSION``: what Stripe would hold about a session
    (khadamat.adapters.payments.LocalStripe)."""

    params = JSONAttribute()
    created_at = UnicodeAttribute()


def _stripe_session_key(session_id: str) -> tuple[str, str]:
    return f"DEV#STRIPE#{session_id}", "SESSION"


def save_stripe_session(session_id: str, params: dict, created_at: str) -> None:
    LocalStripeSessionItem(*_stripe_session_key(session_id), params=params, created_at=created_at).save()


def stripe_session_params(session_id: str) -> dict | None:
    """The session's create parameters; None when there is no such session."""
    item = get_or_none(LocalStripeSessionItem, *_stripe_session_key(session_id))
    return item.params if item else None
