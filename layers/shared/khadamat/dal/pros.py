"""A pro's profile, services, weekly hours, exceptions and the discovery listing.

Keys (see docs/architecture.md and docs/pros.md):
  USER#<proId> / PROFILE           the pro (UserItem): bio, whatsapp, services, weekly_hours;
                 GSI1 / GSI2 / GSI4: LISTING#<cityId>#<cat> / <proId> for its 1st / 2nd / 3rd
                 stored service (a pro stores at most 3)
  USER#<proId> / EXC#<id>          an availability exception (dal.availability.ExceptionItem)

The profile is its own discovery listing: its listing keys are written in the
same UpdateItem as the services, and the indexes project the whole item, so
discovery reads each listed pro once. Whether a listed pro is shown (ACTIVE,
category listed under the current Premium state) is decided when reading.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError

from khadamat.dal.availability import ExceptionItem, pro_pk
from khadamat.dal.users import LISTING_KEYS, UserItem, user_key
from khadamat.domain.timeutil import to_storage

LISTING_PREFIX = "LISTING#"
EXCEPTION_PREFIX = "EXC#"


def listing_partition(city_id: str, category_id: str) -> str:
    return f"{LISTING_PREFIX}{city_id}#{category_id}"


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
def listing_keys(pro_id: str, city_id: str, category_ids: list[str]) -> dict[str, str | None]:
    """The profile's index keys listing it under each category, in service order (None: unset)."""
    if len(category_ids) > len(LISTING_KEYS):
        raise ValueError(f"a pro stores at most {len(LISTING_KEYS)} services")
    keys: dict[str, str | None] = {}
    for index, (hash_name, range_name) in enumerate(LISTING_KEYS):
        listed = index < len(category_ids)
        keys[hash_name] = listing_partition(city_id, category_ids[index]) if listed else None
        keys[range_name] = pro_id if listed else None
    return keys


def replace_services(pro: UserItem, services: list[dict], now: datetime) -> None:
    """The services and their listing keys in one UpdateItem: the profile is the listing."""
    keys = listing_keys(pro.user_id, pro.city_id, [service["categoryId"] for service in services])
    actions = [UserItem.services.set(services), UserItem.updated_at.set(to_storage(now))]
    for name, value in keys.items():
        attribute = getattr(UserItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    pro.update(actions=actions, condition=UserItem.PK.exists())


def listed_pros(city_id: str, category_id: str) -> list[UserItem]:
    """Every pro with a listing for this city+category: one Query per listing index, never a scan.

    The indexes project the whole profile, so ranking and the page need no other read.
    """
    partition = listing_partition(city_id, category_id)
    found = {}
    for index in (UserItem.by_first_listing, UserItem.by_second_listing, UserItem.by_third_listing):
        for pro in index.query(partition):
            found.setdefault(pro.user_id, pro)
    return list(found.values())


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

