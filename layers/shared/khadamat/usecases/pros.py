"""Pro use cases (SPEC §4, §5): profile, services, availability, discovery, public profile, slots.

Also what the bookings use cases call about a pro: `find_bookable_pro`,
`require_offered_category` and `is_slot_free_for` / `is_slot_open_for` (one rule, one place).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from khadamat.dal import availability
from khadamat.dal.base import PageScope, decode_page_token, encode_page_token, plain
from khadamat.dal import pros as store
from khadamat.dal.users import UserItem, get_user, user_key
from khadamat.domain import pros as rules
from khadamat.domain import slots
from khadamat.domain.accounts import Role, UserStatus, normalize_moroccan_mobile
from khadamat.domain.errors import Conflict, NotFound, Unprocessable
from khadamat.domain.kyc import status_of as kyc_status_of
from khadamat.domain.penalties import count_in_window
from khadamat.domain.ranking import ProCandidate, quality_score, rank_pros, tie_break
from khadamat.domain.reference import CATEGORY_IDS, CITY_IDS
from khadamat.domain.timeutil import (HOUR, from_storage, is_hour_aligned, local_date, local_midnight,
                                      parse_timestamp, to_local_iso, to_storage)

MAX_EXCEPTION_LENGTH = timedelta(days=366)
# An ended exception is kept this long, then dropped by the next exception the pro adds.
EXCEPTION_RETENTION = timedelta(days=30)
MAX_SLOTS_DAYS_AHEAD = 365  # either way: only future slots are ever free
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Ids are uuids; anything longer cannot exist (and would break DynamoDB's key size limits).
MAX_ID_LENGTH = 64


# ---------------------------------------------------------------- reading a pro
def services_of(pro: UserItem) -> list[rules.Service]:
    return [rules.Service.from_json(plain(item)) for item in pro.services or ()]


def weekly_of(pro: UserItem) -> tuple[slots.DayHours, ...]:
    return tuple(slots.DayHours(int(d["dayOfWeek"]), int(d["startMin"]), int(d["endMin"]))
                 for d in map(plain, pro.weekly_hours or ()))


def _boosts(pro: UserItem) -> list[dict]:
    return [plain(boost) for boost in pro.boosts or ()]


def _premium(pro: UserItem, now: datetime) -> bool:
    return rules.premium_active(pro.premium_until, now)


def premium_active_for(pro: UserItem, now: datetime) -> bool:
    return _premium(pro, now)


def listed_services(pro: UserItem, now: datetime) -> list[rules.Service]:
    return rules.listed_services(services_of(pro), _premium(pro, now))


def _boosted(pro: UserItem, category_id: str | None, now: datetime) -> bool:
    """Boosted in this category; in a city-wide listing (no category), in any listed one."""
    categories = [category_id] if category_id else [s.category_id for s in listed_services(pro, now)]
    return any(rules.boost_active(_boosts(pro), category, now) for category in categories)


def _badges(pro: UserItem, category_id: str | None, now: datetime) -> list[str]:
    """SPONSORED for a listing when boosted in that category; on a profile, for any category."""
    return rules.badges(pro.kyc_status, _premium(pro, now), _boosted(pro, category_id, now))


def _rating(pro: UserItem) -> dict:
    return rules.rating_view(int(pro.rating_sum or 0), int(pro.rating_count or 0))


def is_visible_pro(pro: UserItem | None) -> bool:
    """Banned, suspended and deleted pros are neither listed, shown nor bookable."""
    return pro is not None and pro.role == Role.PRO and pro.status == UserStatus.ACTIVE


# ---------------------------------------------------------------- for the bookings use cases
def find_bookable_pro(pro_id: str) -> UserItem:
    """The pro a client may book or see; 404 PRO_NOT_FOUND otherwise."""
    pro = get_user(pro_id) if len(pro_id) <= MAX_ID_LENGTH else None
    if not is_visible_pro(pro):
        raise NotFound("no such pro", "PRO_NOT_FOUND")
    return pro


def offers_category(pro: UserItem, category_id: str, now: datetime) -> bool:
    return rules.offers_category(services_of(pro), _premium(pro, now), category_id)


def require_offered_category(pro: UserItem, category_id: str, now: datetime) -> dict:
    """422 CATEGORY_NOT_OFFERED, else the service's price as booked (kept on the booking)."""
    for service in listed_services(pro, now):
        if service.category_id == category_id:
            return {key: value for key, value in service.to_json().items()
                    if key != "categoryId" and value is not None}
    raise Unprocessable("this pro does not offer this category", "CATEGORY_NOT_OFFERED")


def _exceptions(pro: UserItem) -> dict[str, dict]:
    """The pro's availability exceptions by id (a map in the profile item: no read)."""
    stored = pro.availability_exceptions
    return {} if stored is None else {key: plain(value) for key, value in plain(stored).items()}


def _unavailability(pro: UserItem) -> list[tuple[datetime, datetime]]:
    return [(from_storage(item["startAt"]), from_storage(item["endAt"]))
            for item in _exceptions(pro).values()]


def is_slot_open_for(pro: UserItem, slot_start: datetime, now: datetime) -> bool:
    """Free but for slot locks (the booking transaction checks the hour's lock itself)."""
    return slots.is_slot_free(weekly_of(pro), _unavailability(pro), (), slot_start, now)


def is_slot_free_for(pro: UserItem, slot_start: datetime, now: datetime) -> bool:
    """Open (hours, exceptions) and not held by a slot lock; locks are read only when open."""
    return (is_slot_open_for(pro, slot_start, now)
            and not availability.locked_starts(pro.user_id, slot_start, slot_start + HOUR))


# ---------------------------------------------------------------- GET / PUT /pro/profile
def _premium_view(pro: UserItem, now: datetime) -> dict:
    until = pro.premium_until
    return {"active": _premium(pro, now), "plan": pro.premium_plan if until else None,
            "until": to_local_iso(from_storage(until)) if until else None}


def _boosts_view(pro: UserItem, now: datetime) -> list[dict]:
    """Boosts not yet over (active or starting later), by start."""
    current = sorted((b for b in _boosts(pro) if from_storage(b["endsAt"]) > now),
                     key=lambda b: b["startsAt"])
    return [{"categoryId": b["categoryId"], "startsAt": to_local_iso(from_storage(b["startsAt"])),
             "endsAt": to_local_iso(from_storage(b["endsAt"])),
             "active": from_storage(b["startsAt"]) <= now} for b in current]


def own_profile_view(pro: UserItem, now: datetime) -> dict:
    """The pro's own full view (SPEC §18): every stored service (`categories` are those listed
    right now), weekly hours, KYC, Premium and Boost state, photos. All from the profile item."""
    return {**public_profile_view(pro, now), "status": pro.status, "whatsapp": pro.whatsapp,
            "services": [service.to_json() for service in services_of(pro)],
            "weeklyHours": [day.to_json() for day in weekly_of(pro)],
            "kycStatus": kyc_status_of(pro.kyc_status).value,
            "premium": _premium_view(pro, now), "boosts": _boosts_view(pro, now)}


def update_profile(pro: UserItem, changes: dict, now: datetime) -> dict:
    """`changes` holds only the fields sent; null or "" clears a field."""
    fields = {}
    if "bio" in changes:
        fields["bio"] = changes["bio"] or None
    if "whatsapp" in changes:
        fields["whatsapp"] = normalize_moroccan_mobile(changes["whatsapp"], "whatsapp") \
            if changes["whatsapp"] else None
    store.update_profile(pro, now, **fields)
    for name, value in fields.items():
        setattr(pro, name, value)
    return own_profile_view(pro, now)


# ---------------------------------------------------------------- PUT /pro/services
def replace_services(pro: UserItem, services: Iterable[dict], now: datetime) -> dict:
    """`services`: dicts with snake_case keys as sent (categoryId → category_id, …)."""
    checked = [rules.validate_service(path=f"services[{index}]", **service)
               for index, service in enumerate(services)]
    rules.check_services(checked, _premium(pro, now))
    stored = [{k: v for k, v in service.to_json().items() if v is not None} for service in checked]
    store.replace_services(pro, stored, now)
    return {"services": [service.to_json() for service in checked],
            "listedCategories": [s.category_id for s in listed_services(pro, now)]}


# ---------------------------------------------------------------- availability
def replace_weekly_hours(pro: UserItem, days: object, now: datetime) -> dict:
    weekly = slots.validate_weekly(days)
    store.save_weekly_hours(pro, [day.to_json() for day in weekly], now)
    return {"days": [day.to_json() for day in weekly]}


def _exception_view(exception_id: str, item: dict) -> dict:
    return {"id": exception_id, "startAt": to_local_iso(from_storage(item["startAt"])),
            "endAt": to_local_iso(from_storage(item["endAt"])), "reason": item.get("reason"),
            "createdAt": to_local_iso(from_storage(item["createdAt"]))}


def _parsed(text: str, field: str) -> datetime:
    try:
        return parse_timestamp(text)
    except ValueError:
        raise Unprocessable(f"{field} must be an ISO-8601 timestamp") from None


def create_exception(pro: UserItem, start_at: str, end_at: str, reason: str | None,
                     now: datetime) -> dict:
    period = slots.validate_unavailability(_parsed(start_at, "startAt"), _parsed(end_at, "endAt"))
    if period.end_at <= now:
        raise Unprocessable("endAt is in the past: the exception would change nothing")
    if period.end_at - period.start_at > MAX_EXCEPTION_LENGTH:
        raise Unprocessable("an exception lasts at most 366 days")
    exception_id = str(uuid.uuid4())
    entry = {"startAt": to_storage(period.start_at), "endAt": to_storage(period.end_at),
             "createdAt": to_storage(now), **({"reason": reason} if reason else {})}
    for _ in range(3):
        current = _exceptions(pro)
        ended = [key for key, item in current.items()
                 if from_storage(item["endAt"]) + EXCEPTION_RETENTION <= now]
        if len(current) - len(ended) >= store.MAX_EXCEPTIONS:
            raise Unprocessable(f"at most {store.MAX_EXCEPTIONS} exceptions: delete one first")
        if store.add_exception(pro, exception_id, entry, ended):
            return _exception_view(exception_id, entry)
        pro = get_user(pro.user_id)  # the map changed since it was read: decide again
    raise Conflict("too much contention, try again", "CONFLICT")


def delete_exception(pro: UserItem, exception_id: str) -> None:
    if len(exception_id) > MAX_ID_LENGTH or not store.delete_exception(pro.user_id, exception_id):
        raise NotFound("no such exception")


def availability_view(pro: UserItem, now: datetime) -> dict:
    """Weekly hours and the exceptions not yet over, by start."""
    current = sorted((item["startAt"], key, item) for key, item in _exceptions(pro).items()
                     if from_storage(item["endAt"]) > now)
    return {"weekly": [day.to_json() for day in weekly_of(pro)],
            "exceptions": [_exception_view(key, item) for _start, key, item in current]}


# ---------------------------------------------------------------- GET /pros
def _listing_slot(time_slot: str) -> datetime:
    slot = _parsed(time_slot, "timeSlot")
    if not is_hour_aligned(slot):
        raise Unprocessable("timeSlot must start on the hour", "SLOT_NOT_ALIGNED")
    return slot


def _candidate(pro: UserItem, category_id: str | None, now: datetime) -> ProCandidate:
    cancels = count_in_window((from_storage(stamp) for stamp in pro.pro_cancel_log or ()), now)
    return ProCandidate(pro_id=pro.user_id, rating_sum=int(pro.rating_sum or 0),
                        rating_count=int(pro.rating_count or 0), pro_cancels_30d=cancels,
                        premium_active=_premium(pro, now),
                        boost_active_for_this_city_category=_boosted(pro, category_id, now))


def _listing_item_view(pro: UserItem, category_id: str | None, now: datetime) -> dict:
    return {"proId": pro.user_id, "firstName": pro.first_name, "lastName": pro.last_name,
            "cityId": pro.city_id, "categories": [s.category_id for s in listed_services(pro, now)],
            "rating": _rating(pro), "badges": _badges(pro, category_id, now)}


def _check_listing_filters(city_id: str, category_id: str | None) -> None:
    if city_id not in CITY_IDS:
        raise Unprocessable(f"cityId must be one of {', '.join(CITY_IDS)}")
    if category_id is not None and category_id not in CATEGORY_IDS:
        raise Unprocessable(f"categoryId must be one of {', '.join(CATEGORY_IDS)}")


def _shown_pros(city_id: str, category_id: str | None, now: datetime) -> list[UserItem]:
    """The visible pros of a city offering the category (any listed category when None); a pro
    whose phone is not verified is never listed (SPEC §15)."""
    if category_id is None:
        offered = [pro for pro in store.city_pros(city_id) if listed_services(pro, now)]
    else:
        offered = [pro for pro in store.listed_pros(city_id, category_id)
                   if offers_category(pro, category_id, now)]
    return [pro for pro in offered
            if is_visible_pro(pro) and pro.phone_verified and pro.city_id == city_id]


def ranked_listing(city_id: str, category_id: str | None, listing_day: date, now: datetime,
                   slot: datetime | None = None) -> list[UserItem]:
    """GET /pros's filters and ranking (SPEC §5), the whole listing; one place for every list."""
    shown = _shown_pros(city_id, category_id, now)
    if slot:
        shown = [pro for pro in shown if is_slot_free_for(pro, slot, now)]
    by_id = {pro.user_id: pro for pro in shown}
    candidates = (_candidate(pro, category_id, now) for pro in shown)
    return [by_id[c.pro_id] for c in rank_pros(candidates, listing_day, city_id, category_id or "")]


def search_pros(*, city_id: str, category_id: str | None, time_slot: str | None, limit: int,
                next_token: str | None, now: datetime) -> dict:
    """`category_id` None: every listed pro of the city (SPEC §18), same ranking and paging."""
    _check_listing_filters(city_id, category_id)
    slot = _listing_slot(time_slot) if time_slot else None
    scope = PageScope("GET /pros", None, {"cityId": city_id, "categoryId": category_id,
                                          "timeSlot": to_storage(slot) if slot else None})
    position = decode_page_token(next_token, scope)
    start = rules.ListingPosition.from_json(position) if position else None
    listing_day, offset = (start.listing_day, start.offset) if start else (local_date(now), 0)
    ranked = ranked_listing(city_id, category_id, listing_day, now, slot)
    page = ranked[offset:offset + limit]
    more = offset + limit < len(ranked)
    return {"items": [_listing_item_view(pro, category_id, now) for pro in page],
            "nextToken": encode_page_token(rules.ListingPosition(offset + limit, listing_day).to_json(),
                                           scope) if more else None}


# ---------------------------------------------------------------- « Reco semaine » (SPEC §18)
RECOMMENDED_PER_LISTING = 5


def pick_recommended(city_id: str, category_id: str, now: datetime) -> list[str]:
    """Up to 5 active Premium pros of the listing by quality score (then the day's tie-break):
    the listing's one Query per index, O(pros of the city+category)."""
    listing_day = local_date(now)
    candidates = [_candidate(pro, category_id, now) for pro in _shown_pros(city_id, category_id, now)
                  if _premium(pro, now)]
    by_quality = sorted(candidates, key=lambda c: (
        -quality_score(c.rating_sum, c.rating_count, c.pro_cancels_30d),
        tie_break(listing_day, city_id, category_id, c.pro_id), c.pro_id))
    return [candidate.pro_id for candidate in by_quality[:RECOMMENDED_PER_LISTING]]


def recommend_pros(now: datetime) -> dict:
    """The weekly job: every city × category (the reference lists), each pick stored whole."""
    from khadamat.dal import recommendations

    summary = {"listings": 0, "recommended": 0, "skipped": 0}
    for city_id in CITY_IDS:
        for category_id in CATEGORY_IDS:
            picked = pick_recommended(city_id, category_id, now)
            saved = recommendations.save_pick(city_id, category_id, picked, local_date(now).isoformat(), now)
            summary["listings"] += 1
            summary["recommended"] += len(picked) if saved else 0
            summary["skipped"] += not saved
    return summary


def recommended_pros(*, city_id: str, category_id: str, now: datetime) -> dict:
    """The last run's pick, as GET /pros items plus RECOMMENDED; pros no longer shown in that
    listing (banned, suspended, category dropped) are left out. GetItem + BatchGetItem."""
    from khadamat.dal import recommendations
    from khadamat.dal.base import get_items

    _check_listing_filters(city_id, category_id)
    if category_id is None:
        raise Unprocessable("categoryId is required")
    pick = recommendations.get_pick(city_id, category_id)
    ids = list(pick.pro_ids) if pick else []
    found = get_items([(UserItem, *user_key(pro_id)) for pro_id in ids]) if ids else []
    shown = [pro for pro in found if is_visible_pro(pro) and pro.city_id == city_id
             and offers_category(pro, category_id, now)]
    items = [_listing_item_view(pro, category_id, now) for pro in shown]
    for item in items:
        item["badges"].append(rules.Badge.RECOMMENDED)
    return {"items": items}


# ---------------------------------------------------------------- GET /pros/{proId}
def photo_records(pro: UserItem) -> dict[str, dict]:
    """The pro's photos by id (a bounded map in the profile item: no read)."""
    stored = pro.photos
    return {} if stored is None else {key: plain(value) for key, value in plain(stored).items()}


def photos_view(pro: UserItem) -> list[dict]:
    """Processed photos, oldest first, with presigned GET urls (signed here: no request)."""
    from khadamat import config
    from khadamat.adapters import storage
    from khadamat.domain import photos

    done = sorted((record["createdAt"], photo_id) for photo_id, record in photo_records(pro).items()
                  if record.get("status") == photos.PROCESSED)
    bucket = config.photos_bucket() if done else None
    return [{"id": photo_id,
             "url": storage.presigned_read(photos.full_key(pro.user_id, photo_id),
                                           photos.READ_URL_SECONDS, bucket=bucket),
             "thumbUrl": storage.presigned_read(photos.thumb_key(pro.user_id, photo_id),
                                                photos.READ_URL_SECONDS, bucket=bucket)}
            for _created, photo_id in done]


def public_profile_view(pro: UserItem, now: datetime) -> dict:
    listed = listed_services(pro, now)
    return {"proId": pro.user_id, "firstName": pro.first_name, "lastName": pro.last_name,
            "cityId": pro.city_id, "bio": pro.bio,
            "categories": [service.category_id for service in listed],
            "services": [service.to_json() for service in listed],
            "rating": _rating(pro), "badges": _badges(pro, None, now), "photos": photos_view(pro)}


def public_profile(pro_id: str, now: datetime) -> dict:
    return public_profile_view(find_bookable_pro(pro_id), now)


# ---------------------------------------------------------------- GET /pros/{proId}/slots
def _from_date(text: str | None, now: datetime) -> date:
    today = local_date(now)
    if text is None:
        return today
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise Unprocessable("from must be a date YYYY-MM-DD") from None
    if abs((day - today).days) > MAX_SLOTS_DAYS_AHEAD:
        raise Unprocessable(f"from must be within {MAX_SLOTS_DAYS_AHEAD} days of today")
    return day


def pro_slots(pro_id: str, from_text: str | None, days: int, now: datetime) -> dict:
    from_day = _from_date(from_text, now)
    pro = find_bookable_pro(pro_id)
    locked = availability.locked_starts(pro_id, local_midnight(from_day),
                                        local_midnight(from_day + timedelta(days=days)))
    free = slots.free_slots(weekly_of(pro), _unavailability(pro), locked, from_day, days, now)
    return {"slots": [to_local_iso(slot) for slot in free]}


# ---------------------------------------------------------------- GET /pro/dashboard
def dashboard(pro: UserItem, now: datetime) -> dict:
    """SPEC §18's numbers from the counters kept by the booking transactions (dal.pro_stats):
    the caller's profile (rating, Premium) and one Query of the pro's hour items."""
    from khadamat.dal import pro_stats
    from khadamat.domain import dashboard as numbers

    hours = pro_stats.hours_between(pro.user_id, numbers.read_window_start(now), now)
    events = numbers.Events.parse(*([entry for hour in hours for entry in getattr(hour, name) or ()]
                                    for name in pro_stats.FIELDS))
    return numbers.dashboard(events, now, _rating(pro), _premium(pro, now))
