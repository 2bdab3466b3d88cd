"""A pro's profile, services, weekly hours, exceptions and the discovery listing.

Keys (see docs/architecture.md and docs/pros.md):
  USER#<proId> / PROFILE           the pro (UserItem): bio, whatsapp, services, weekly_hours;
                 GSI1 / GSI2 / GSI4: LISTING#<cityId>#<cat> / <proId> for its 1st / 2nd / 3rd
                 stored service (a pro stores at most 3)
  (availability exceptions are a bounded map in the profile: `availability_exceptions`)

The profile is its own discovery listing: its listing keys are written in the
same UpdateItem as the services, and the indexes project the whole item, so
discovery reads each listed pro once. Whether a listed pro is shown (ACTIVE,
category listed under the current Premium state) is decided when reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.expressions.condition import size

from khadamat.dal.base import conditionally
from khadamat.dal.users import CITY_LISTING_KEY, LISTING_KEYS, UserItem, update_user_item, user_key
from khadamat.domain.timeutil import to_storage

LISTING_PREFIX = "LISTING#"
CITY_LISTING_PREFIX = "CITYPROS#"
MAX_EXCEPTIONS = 50  # per pro, in the profile item (far below its 400 KB)


def listing_partition(city_id: str, category_id: str) -> str:
    return f"{LISTING_PREFIX}{city_id}#{category_id}"


# ---------------------------------------------------------------- profile
def update_profile(pro: UserItem, now: datetime, **fields: str | None) -> None:
    """Set (or, for None, remove) profile attributes such as bio and whatsapp."""
    actions = [UserItem.updated_at.set(to_storage(now))]
    for name, value in fields.items():
        attribute = getattr(UserItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    update_user_item(pro.user_id, actions)  # a summary field (cityId) would reach its copies


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
    city_hash, city_range = CITY_LISTING_KEY
    keys[city_hash] = f"{CITY_LISTING_PREFIX}{city_id}" if category_ids else None
    keys[city_range] = pro_id if category_ids else None
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


def city_pros(city_id: str) -> list[UserItem]:
    """Every pro storing at least one service in this city: one Query of GSI5 (paged by
    DynamoDB past 1 MB), never a scan. Projection ALL, as for the category listings."""
    return list(UserItem.by_city_listing.query(f"{CITY_LISTING_PREFIX}{city_id}"))


# ---------------------------------------------------------------- exceptions
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
    return conditionally(UserItem(*user_key(pro.user_id)).update, actions=actions,
                         condition=UserItem.PK.exists() & condition)


def delete_exception(pro_id: str, exception_id: str) -> bool:
    """False when this pro has no such exception (the map is the pro's own)."""
    exceptions = UserItem.availability_exceptions
    return conditionally(UserItem(*user_key(pro_id)).update, actions=[exceptions[exception_id].remove()],
                         condition=exceptions[exception_id].exists())

