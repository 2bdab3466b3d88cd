"""A pro's photo records (SPEC §18): a bounded map in the profile item, `photos`
{photoId: {status PENDING|PROCESSED, createdAt, processedAt?, width?, height?}}, so that
GET /pros/{proId} shows them without another read. Every change is one conditional UpdateItem.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.expressions.condition import size

from khadamat.dal.base import conditionally
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.photos import PENDING, PROCESSED
from khadamat.domain.timeutil import to_storage



def reserve(pro: UserItem, photo_id: str, limit: int, drop: Sequence[str], now: datetime) -> bool:
    """A PENDING record for a new upload, if the map still holds fewer than ``limit`` photos
    once ``drop`` (abandoned uploads) is removed; False otherwise (re-read and decide again)."""
    photos = UserItem.photos
    entry = {"status": PENDING, "createdAt": to_storage(now)}
    if pro.photos is None:
        actions, condition = [photos.set({photo_id: entry})], photos.does_not_exist()
    else:
        actions = [photos[photo_id].set(entry), *(photos[i].remove() for i in drop)]
        condition = size(photos) < limit + len(drop)
        for gone in drop:
            condition &= photos[gone].exists()
    return conditionally(UserItem(*user_key(pro.user_id)).update, actions=actions,
                         condition=UserItem.PK.exists() & condition)


def mark_processed(pro_id: str, photo_id: str, width: int, height: int, now: datetime) -> bool:
    """False when the record is gone (deleted while processing: the caller removes the files)."""
    photo = UserItem.photos[photo_id]
    return conditionally(UserItem(*user_key(pro_id)).update,
                         actions=[photo["status"].set(PROCESSED), photo["processedAt"].set(to_storage(now)),
                                  photo["width"].set(width), photo["height"].set(height)],
                         condition=photo.exists())


def remove(pro_id: str, photo_id: str) -> bool:
    """False when this pro has no such photo."""
    photo = UserItem.photos[photo_id]
    return conditionally(UserItem(*user_key(pro_id)).update, actions=[photo.remove()],
                         condition=photo.exists())
