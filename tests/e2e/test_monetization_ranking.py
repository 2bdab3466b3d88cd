"""Premium and Boost change what clients see: badges, categories and rank (SPEC §5, §12)."""

from __future__ import annotations

from tests.e2e.flows import (approve_kyc, offer, open_every_day, pay_checkout, reset_clock,
                             set_clock, sign_up)

CITY = "marrakech"


def listing(stack, http, category: str) -> list[dict]:
    reply = http.get(f"{stack}/pros", params={"cityId": CITY, "categoryId": category, "limit": 50},
                     timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]


def rank_of(items: list[dict], pro_id: str) -> int:
    return [item["proId"] for item in items].index(pro_id)


def verified_pro(stack, http, name: str, category: str) -> tuple[str, dict]:
    pro_id, headers = sign_up(stack, http, "PRO", CITY, first_name=name)
    offer(stack, http, headers, category)
    open_every_day(stack, http, headers)
    approve_kyc(stack, http, pro_id, headers)
    return pro_id, headers


def test_premium_gives_badge_three_categories_and_outranks_a_non_premium_pro(stack, http):
    # Given two verified pros in the same city and category, one of them about to go Premium
    plain_id, _ = verified_pro(stack, http, "Omar", "jardinage")
    premium_id, headers = verified_pro(stack, http, "Nadia", "jardinage")
    # Without Premium a second category is refused
    offer(stack, http, headers, "jardinage", "peinture", expect=409)
    # When Nadia buys Premium through the local Stripe flow
    pay_checkout(stack, http, "/pro/subscription/checkout", {"plan": "PREMIUM_MONTHLY_NO_COMMIT"},
                 headers)
    # Then she may offer three categories, carries the PREMIUM badge, and ranks above Omar
    offer(stack, http, headers, "jardinage", "peinture", "bricolage")
    items = listing(stack, http, "jardinage")
    nadia = next(item for item in items if item["proId"] == premium_id)
    assert {"PREMIUM", "VERIFIED"} <= set(nadia["badges"])
    assert rank_of(items, premium_id) < rank_of(items, plain_id)
    assert premium_id in [item["proId"] for item in listing(stack, http, "bricolage")]


def test_boost_ranks_first_with_sponsored_badge_and_ends_after_seven_days(stack, http):
    try:
        set_clock(stack, http, "2031-03-02T09:00:00Z")
        boosted_id, headers = verified_pro(stack, http, "Karim", "serrurerie")
        # When Karim buys a Boost for serrurerie in his city
        pay_checkout(stack, http, "/pro/boosts/checkout", {"categoryId": "serrurerie"}, headers)
        # Then he ranks first there, SPONSORED
        items = listing(stack, http, "serrurerie")
        assert items[0]["proId"] == boosted_id and "SPONSORED" in items[0]["badges"]
        # And seven days later, by the dev clock, the Boost is over with no job run
        set_clock(stack, http, "2031-03-09T10:00:00Z")
        karim = next(i for i in listing(stack, http, "serrurerie") if i["proId"] == boosted_id)
        assert "SPONSORED" not in karim["badges"]
    finally:
        reset_clock(stack, http)
