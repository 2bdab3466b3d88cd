"""Pro rules (SPEC §4, §5, §12): services and prices, category limit, listed categories, badges.

Premium and Boost are read against the clock at request time (`premium_until`,
boost `startsAt`/`endsAt` are storage timestamps), so nothing has to run when
they end.

Premium ended: the pro's services stay stored as they were, but while Premium
is not active only the FIRST stored service is listed in discovery and
bookable (`listed_services`); the others come back by themselves when Premium
is active again. Discovery, the public profile and the bookings' "pro offers
category" check all go through `listed_services`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from khadamat.domain.errors import BadRequest, Conflict, Unprocessable
from khadamat.domain.reference import CATEGORY_IDS
from khadamat.domain.timeutil import from_storage

CATEGORIES_WITHOUT_PREMIUM = 1
CATEGORIES_WITH_PREMIUM = 3
MIN_PRICE_MAD = 1
MAX_PRICE_MAD = 100_000


class PricingType:
    RANGE = "RANGE"
    FIXED = "FIXED"


class Badge:
    VERIFIED = "VERIFIED"
    UNVERIFIED = "UNVERIFIED"
    PREMIUM = "PREMIUM"
    SPONSORED = "SPONSORED"
    RECOMMENDED = "RECOMMENDED"  # « Reco semaine » (SPEC §18), on GET /pros/recommended


@dataclass(frozen=True, slots=True)
class Service:
    category_id: str
    pricing_type: str
    min_price_mad: int | None = None
    max_price_mad: int | None = None
    fixed_price_mad: int | None = None

    def to_json(self) -> dict:
        return {"categoryId": self.category_id, "pricingType": self.pricing_type,
                "minPriceMad": self.min_price_mad, "maxPriceMad": self.max_price_mad,
                "fixedPriceMad": self.fixed_price_mad}

    @classmethod
    def from_json(cls, data: Mapping) -> Service:
        return cls(data["categoryId"], data["pricingType"], _int_or_none(data.get("minPriceMad")),
                   _int_or_none(data.get("maxPriceMad")), _int_or_none(data.get("fixedPriceMad")))


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


def _invalid(message: str) -> Unprocessable:
    return Unprocessable(message, code="VALIDATION_ERROR")


def _checked_price(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(f"{field} is required and must be an integer (MAD)")
    if not MIN_PRICE_MAD <= value <= MAX_PRICE_MAD:
        raise _invalid(f"{field} must be between {MIN_PRICE_MAD} and {MAX_PRICE_MAD} MAD")
    return value


def validate_service(category_id: str, pricing_type: str | None, min_price_mad: int | None,
                     max_price_mad: int | None, fixed_price_mad: int | None, path: str) -> Service:
    """One service; `pricingType` defaults to FIXED when only fixedPriceMad is given, else RANGE."""
    if category_id not in CATEGORY_IDS:
        raise _invalid(f"{path}.categoryId must be one of {', '.join(CATEGORY_IDS)}")
    if pricing_type is None:
        only_fixed = fixed_price_mad is not None and min_price_mad is None and max_price_mad is None
        pricing_type = PricingType.FIXED if only_fixed else PricingType.RANGE
    if pricing_type == PricingType.FIXED:
        if min_price_mad is not None or max_price_mad is not None:
            raise _invalid(f"{path}: minPriceMad/maxPriceMad are for RANGE pricing only")
        return Service(category_id, pricing_type,
                       fixed_price_mad=_checked_price(fixed_price_mad, f"{path}.fixedPriceMad"))
    if pricing_type != PricingType.RANGE:
        raise _invalid(f"{path}.pricingType must be RANGE or FIXED")
    if fixed_price_mad is not None:
        raise _invalid(f"{path}.fixedPriceMad is for FIXED pricing only")
    low = _checked_price(min_price_mad, f"{path}.minPriceMad")
    high = _checked_price(max_price_mad, f"{path}.maxPriceMad")
    if low > high:
        raise _invalid(f"{path}.minPriceMad must be at most maxPriceMad")
    return Service(category_id, pricing_type, min_price_mad=low, max_price_mad=high)


def category_limit(premium: bool) -> int:
    return CATEGORIES_WITH_PREMIUM if premium else CATEGORIES_WITHOUT_PREMIUM


def check_services(services: Sequence[Service], premium: bool) -> None:
    """Whole-list rules of PUT /pro/services, after each service was validated."""
    seen: set[str] = set()
    for index, service in enumerate(services):
        if service.category_id in seen:
            raise _invalid(f"services[{index}].categoryId: {service.category_id} is listed twice")
        seen.add(service.category_id)
    limit = category_limit(premium)
    if len(services) > limit:
        plan = "with Premium" if premium else "without Premium"
        raise Conflict(f"{plan} a pro may offer at most {limit} categor{'y' if limit == 1 else 'ies'}",
                       "CATEGORY_LIMIT")


# --- monetization state, read against the clock -----------------------------


def premium_active(premium_until: str | None, now: datetime) -> bool:
    return bool(premium_until) and now < from_storage(premium_until)


def boost_active(boosts: Iterable[Mapping] | None, category_id: str, now: datetime) -> bool:
    """A boost is for the pro's city and one category, active in [startsAt, endsAt)."""
    return any(
        boost.get("categoryId") == category_id
        and from_storage(boost["startsAt"]) <= now < from_storage(boost["endsAt"])
        for boost in boosts or ()
    )


def listed_services(services: Sequence[Service], premium: bool) -> list[Service]:
    """The services shown in discovery and bookable: all with Premium, else only the first."""
    return list(services[:category_limit(premium)])


def offers_category(services: Sequence[Service], premium: bool, category_id: str) -> bool:
    return any(service.category_id == category_id for service in listed_services(services, premium))


def badges(kyc_status: str | None, premium: bool, sponsored: bool) -> list[str]:
    result = [Badge.VERIFIED if kyc_status == "APPROVED" else Badge.UNVERIFIED]
    if premium:
        result.append(Badge.PREMIUM)
    if sponsored:
        result.append(Badge.SPONSORED)
    return result


def rating_view(rating_sum: int, rating_count: int) -> dict:
    """`average` is null until the first review (no invented stars on the wire)."""
    average = round(rating_sum / rating_count, 2) if rating_count else None
    return {"average": average, "count": rating_count}


# --- discovery paging position ----------------------------------------------

MAX_OFFSET = 100_000


@dataclass(frozen=True, slots=True)
class ListingPosition:
    """Where the next page starts in one day's ranked listing (signed into a page token by
    khadamat.dal.base, bound to the query's cityId, categoryId and timeSlot).

    The listing day travels in the token, so a listing started before local
    midnight keeps the same order (same tie-break seed) on its later pages.
    """

    offset: int
    listing_day: date

    def to_json(self) -> dict:
        return {"o": self.offset, "d": self.listing_day.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> ListingPosition:
        """Only ever given what to_json wrote (the token is signed); still checked."""
        offset = data.get("o")
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
            raise BadRequest("nextToken is not a token this listing returned")
        try:
            return cls(offset, date.fromisoformat(str(data.get("d"))))
        except ValueError:
            raise BadRequest("nextToken is not a token this listing returned") from None
