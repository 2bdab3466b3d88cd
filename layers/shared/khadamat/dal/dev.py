"""Local-stage records: what the local notification stand-ins would have sent."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from khadamat.dal.base import BaseItem

SENT_PK = "DEV#SENT"


class SentMessageItem(BaseItem):
    channel = UnicodeAttribute()
    message = JSONAttribute()


def record_sent(sort_key: str, channel: str, message: dict) -> None:
    SentMessageItem(SENT_PK, sort_key, channel=channel, message=message).save()


def list_sent() -> list[dict]:
    return [{"channel": item.channel, **item.message} for item in SentMessageItem.query(SENT_PK)]
