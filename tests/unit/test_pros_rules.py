"""Pro rules (domain.pros): services, category limit, premium/boost windows, badges, paging token."""

from datetime import UTC, date, datetime

import pytest

from khadamat.domain import pros as rules
from khadamat.domain.errors import BadRequest, Conflict, Unprocessable

NOW = datetime(2026, 6, 1, 7, tzinfo=UTC)


def service(category_id="plomberie", pricing_type=None, low=None, high=None, fixed=None):
    return rules.validate_service(category_id, pricing_type, low, high, fixed, "services[0]")


def test_pricing_type_is_inferred_from_the_prices_given():
    assert service(fixed=200).pricing_type == "FIXED"
    assert service(low=100, high=100).pricing_type == "RANGE"


@pytest.mark.parametrize("kwargs", [dict(low=100), dict(high=100), dict(low=300, high=200),
                                    dict(pricing_type="FIXED"), dict(fixed=100, low=50),
                                    dict(pricing_type="RANGE", low=1, high=2, fixed=3),
                                    dict(fixed=0), dict(fixed=100_001), dict(category_id="astrologie", fixed=1)])
def test_invalid_services_are_422(kwargs):
    with pytest.raises(Unprocessable):
        service(**kwargs)


def test_one_category_without_premium_three_with():
    two = [service("plomberie", fixed=1), service("menage", fixed=1)]
    with pytest.raises(Conflict) as error:
        rules.check_services(two, premium=False)
    assert error.value.code == "CATEGORY_LIMIT"
    rules.check_services(two, premium=True)
    with pytest.raises(Conflict):
        rules.check_services([*two, service("peinture", fixed=1), service("jardinage", fixed=1)], premium=True)


def test_duplicates_are_422_before_the_limit():
    with pytest.raises(Unprocessable):
        rules.check_services([service(fixed=1), service(fixed=2)], premium=False)


def test_premium_is_active_strictly_before_its_end():
    assert rules.premium_active("2026-06-01T07:00:00.000001Z", NOW)
    assert not rules.premium_active("2026-06-01T07:00:00.000000Z", NOW)
    assert not rules.premium_active(None, NOW)


def test_boost_is_active_in_start_inclusive_end_exclusive_for_its_category_only():
    boost = {"categoryId": "plomberie", "startsAt": "2026-06-01T07:00:00.000000Z",
             "endsAt": "2026-06-08T07:00:00.000000Z"}
    assert rules.boost_active([boost], "plomberie", NOW)
    assert not rules.boost_active([boost], "menage", NOW)
    assert not rules.boost_active([{**boost, "endsAt": "2026-06-01T07:00:00.000000Z"}], "plomberie", NOW)
    assert not rules.boost_active(None, "plomberie", NOW)


def test_without_premium_only_the_first_service_is_listed_and_offered():
    stored = [service("plomberie", fixed=1), service("menage", fixed=1)]
    assert [s.category_id for s in rules.listed_services(stored, premium=False)] == ["plomberie"]
    assert rules.offers_category(stored, True, "menage") and not rules.offers_category(stored, False, "menage")


def test_badges_and_rating():
    assert rules.badges("APPROVED", True, True) == ["VERIFIED", "PREMIUM", "SPONSORED"]
    assert rules.badges("PENDING", False, False) == ["UNVERIFIED"]
    assert rules.rating_view(14, 3) == {"average": 4.67, "count": 3}
    assert rules.rating_view(0, 0) == {"average": None, "count": 0}


def test_listing_position_round_trip_and_rejections():
    position = rules.ListingPosition(20, date(2026, 6, 1))
    assert rules.ListingPosition.from_json(position.to_json()) == position
    for bad in ({}, {"o": True, "d": "2026-06-01"}, {"o": -1, "d": "2026-06-01"},
                {"o": rules.MAX_OFFSET + 1, "d": "2026-06-01"}, {"o": 1, "d": "yesterday"}):
        with pytest.raises(BadRequest):
            rules.ListingPosition.from_json(bad)