"""A pro's profile, services, weekly hours, exceptions and the discovery listing.

Keys (see docs/architecture.md and docs/pros.md):
  USER#<proId> / PROFILE           the pro (UserItem): bio, whatsapp, services, weekly_hours
  USER#<proId> / LISTING#<cat>     discovery listing, one per stored service
                 GSI1: LISTING#<cityId>#<cat> / <proId>
  (availability exceptions are a bounded map in the profile: `availability_exceptions`)

Listing items mirror the stored services (written in the same transaction as
them); whether a listed pro is shown (ACTIVE, category listed under the current
Premium state) is decided when reading, from the profile, so a stray listing
can never show a pro that should not be shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size
from pynamodb.transactions import TransactWrite

from khadamat.dal.availability import pro_pk
from khadamat.dal.base import GSI1, BaseItem, connection
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.timeutil import to_storage

LISTING_PREFIX = "LISTING#"
MAX_EXCEPTIONS = 50  # per pro, in the profile item (far below its 400 KB)


class ListingItem(BaseItem):
    pro_id = UnicodeAttribute()
    city_id = UnicodeAttribute()
    category_id = UnicodeAttribute()

    by_listing = GSI1()


def listing_partition(city_id: str, category_id: str) -> str:
    return f"{LISTING_PREFIX}{city_id}#{category_id}"


def _listing(pro_id: str, city_id: str, category_id: str) -> ListingItem:
    return ListingItem(pro_pk(pro_id), f"{LISTING_PREFIX}{category_id}", pro_id=pro_id,
                       city_id=city_id, category_id=category_id,
                       GSI1PK=listing_partition(city_id, category_id), GSI1SK=pro_id)


# ---------------------------------------------------------------- profile
def update_profile(pro: UserItem, now: datetime, **fields: str | None) -> None:
    """Set (or, for None, remove) profile attributes such as bio and whatsapp."""
    actions = [UserItem.updated_at.set(to_storage(now))]
    for name, value in fields.items():
        attribute = getattr(UserItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    pro.update(actions=actions)


def save_weekly_hours(pro: UserItem, days: list[dict], now: datetime) -> None:
    pro.update(actions=[UserItem.weekly_hours.set(days), UserItem.updated_at.set(to_storage(now))])


# ---------------------------------------------------------------- services and listings
def listed_category_ids(pro_id: str) -> list[str]:
    """Categories that currently have a listing item for this pro (one Query on its partition)."""
    items = ListingItem.query(pro_pk(pro_id), ListingItem.SK.startswith(LISTING_PREFIX))
    return [item.category_id for item in items]


def replace_services(pro: UserItem, services: list[dict], now: datetime) -> None:
    """The services and their listings in one transaction: drop the old, put the new."""
    kept = {service["categoryId"] for service in services}
    with TransactWrite(connection=connection()) as tx:
        tx.update(UserItem(*user_key(pro.user_id)), actions=[
            UserItem.services.set(services), UserItem.updated_at.set(to_storage(now))],
            condition=UserItem.PK.exists())
        for category_id in listed_category_ids(pro.user_id):
            if category_id not in kept:
                tx.delete(ListingItem(pro_pk(pro.user_id), f"{LISTING_PREFIX}{category_id}"))
        for category_id in kept:
            tx.save(_listing(pro.user_id, pro.city_id, category_id))
    pro.services = services


def listing_pro_ids(city_id: str, category_id: str) -> list[str]:
    """Every pro with a listing for this city+category: an index Query, never a scan."""
    return [item.pro_id for item in ListingItem.by_listing.query(listing_partition(city_id, category_id))]


def get_pros(pro_ids: Sequence[str]) -> list[UserItem]:
    """The profiles in one BatchGetItem round (pynamodb splits by 100 keys and retries unprocessed)."""
    return list(UserItem.batch_get([user_key(pro_id) for pro_id in pro_ids])) if pro_ids else []


# ---------------------------------------------------------------- exceptions
def _applied(error: UpdateError) -> bool:
    if error.cause_response_code == "ConditionalCheckFailedException":
        return False
    raise error


def add_exception(pro: UserItem, exception_id: str, entry: dict, drop: Sequence[str]) -> bool:
    """Adds one exception to the pro's map and removes ``drop`` (ended long ago), if the map is
    still as ``pro`` was read for those ids and holds fewer than MAX_EXCEPTIONS after the
    change; False otherwise (re-read and decide again)."""
    exceptions = UserItem.availability_exceptions
    if pro.availability_exceptions is None:
        actions, condition = [exceptions.set({exception_id: entry})], exceptions.does_not_exist()
    else:
        actions = [exceptions[exception_id].set(entry), *(exceptions[i].remove() for i in drop)]
        condition = (size(exceptions) < MAX_EXCEPTIONS + len(drop)) & exceptions[exception_id].does_not_exist()
        for gone in drop:
            condition &= exceptions[gone].exists()
    try:
        UserItem(*user_key(pro.user_id)).update(actions=actions, condition=UserItem.PK.exists() & condition)
    except UpdateError as error:
        return _applied(error)
    return True


def delete_exception(pro_id: str, exception_id: str) -> bool:
    """False when this pro has no such exception (the map is the pro's own)."""
    exceptions = UserItem.availability_exceptions
    try:
        UserItem(*user_key(pro_id)).update(actions=[exceptions[exception_id].remove()],
                                           condition=exceptions[exception_id].exists())
    except UpdateError as error:
        return _applied(error)
    return True

