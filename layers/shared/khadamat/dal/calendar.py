"""The pro's calendar feed token (SPEC §19): USER#<proId> / CALENDAR_TOKEN, the sha256 of the
secret part of the feed URL's token (never the token itself). One item per pro: writing a new
one revokes the old in the same PutItem."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from khadamat.dal.base import BaseItem, get_or_none
from khadamat.dal.users import user_key
from khadamat.domain.timeutil import to_storage

SK = "CALENDAR_TOKEN"


class CalendarTokenItem(BaseItem):
    token_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()


def replace_token_hash(pro_id: str, token_hash: str, now: datetime) -> None:
    CalendarTokenItem(user_key(pro_id)[0], SK, token_hash=token_hash, created_at=to_storage(now)).save()


def token_hash_of(pro_id: str) -> str | None:
    item = get_or_none(CalendarTokenItem, user_key(pro_id)[0], SK)
    return item.token_hash if item else None
