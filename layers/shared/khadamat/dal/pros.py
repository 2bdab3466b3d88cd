"""A pro's profile, services, weekly hours, exceptions and the discovery listing.

Keys (see docs/architecture.md and docs/pros.md):
  USER#<proId> / PROFILE           the pro (UserItem): bio, whatsapp, services, weekly_hours
  USER#<proId> / LISTING#<cat>     discovery listing, one per stored service
                 GSI1: LISTING#<cityId>#<cat> / <proId>
  USER#<proId> / EXC#<id>          an availability exception (dal.availability.ExceptionItem)

Listing items mirror the stored services (written in the same transaction as
them); whether a listed pro is shown (ACTIVE, category listed under the current
Premium state) is decided when reading, from the profile, so a stray listing
can never show a pro that should not be shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError
from pynamodb.transactions import TransactWrite

from khadamat.dal.availability import ExceptionItem, pro_pk
from khadamat.dal.base import GSI1, BaseItem, connection
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.timeutil import to_storage

LISTING_PREFIX = "LISTING#"
EXCEPTION_PREFIX = "EXC#"


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
def exception_key(pro_id: str, exception_id: str) -> tuple[str, str]:
    return pro_pk(pro_id), f"{EXCEPTION_PREFIX}{exception_id}"


def create_exception(pro_id: str, exception_id: str, start_at: datetime, end_at: datetime,
                     reason: str | None, now: datetime, expires_at: datetime) -> ExceptionItem:
    item = ExceptionItem(*exception_key(pro_id, exception_id), exception_id=exception_id,
                         pro_id=pro_id, start_at=to_storage(start_at), end_at=to_storage(end_at),
                         reason=reason, created_at=to_storage(now), ttl=int(expires_at.timestamp()))
    item.save(condition=ExceptionItem.PK.does_not_exist())
    return item


def delete_exception(pro_id: str, exception_id: str) -> bool:
    """False when this pro has no such exception (the key is under the pro's own partition)."""
    try:
        ExceptionItem(*exception_key(pro_id, exception_id)).delete(condition=ExceptionItem.PK.exists())
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True

