"""Discovery ranking (SPEC §5): Boost, then Premium, then quality score, then a daily seeded tie-break."""

from __future__ import annotations

import random
from datetime import date

import pytest

from khadamat.domain.ranking import (
    PENALTY_PER_PRO_CANCEL,
    PRIOR_MEAN,
    ProCandidate,
    quality_score,
    rank_key,
    rank_pros,
)

DAY = date(2026, 10, 5)
CITY, CATEGORY = "casablanca", "plomberie"


def pro(pro_id, rating_sum=0, rating_count=0, cancels=0, premium=False, boost=False) -> ProCandidate:
    return ProCandidate(pro_id, rating_sum, rating_count, cancels, premium, boost)


def ranked_ids(candidates, day=DAY, city=CITY, category=CATEGORY) -> list[str]:
    return [candidate.pro_id for candidate in rank_pros(candidates, day, city, category)]


# --- quality score ------------------------------------------------------------


def test_given_no_reviews_then_the_score_is_the_prior():
    assert quality_score(0, 0, 0) == PRIOR_MEAN


def test_given_many_reviews_then_the_score_tends_to_the_pros_own_average():
    assert quality_score(rating_sum=4800, rating_count=1000, pro_cancels_30d=0) == pytest.approx(4.8, abs=0.01)


def test_given_one_five_star_review_then_the_prior_keeps_the_score_below_a_long_4_8_record():
    newcomer = quality_score(rating_sum=5, rating_count=1, pro_cancels_30d=0)
    veteran = quality_score(rating_sum=240, rating_count=50, pro_cancels_30d=0)
    assert PRIOR_MEAN < newcomer < veteran


def test_given_cancellations_then_each_lowers_the_score_by_the_penalty():
    base = quality_score(45, 10, 0)
    assert quality_score(45, 10, 1) == pytest.approx(base - PENALTY_PER_PRO_CANCEL)
    assert quality_score(45, 10, 2) == pytest.approx(base - 2 * PENALTY_PER_PRO_CANCEL)


def test_given_many_cancellations_then_the_score_is_floored_at_zero():
    assert quality_score(50, 10, 100) == 0.0


# --- order ----------------------------------------------------------------------


def test_given_boost_premium_and_better_rated_pros_then_boost_first_then_premium_then_score():
    candidates = [
        pro("top-rated", rating_sum=500, rating_count=100),
        pro("premium-poor", rating_sum=20, rating_count=10, premium=True),
        pro("boost-poor", rating_sum=10, rating_count=10, boost=True),
        pro("premium-good", rating_sum=480, rating_count=100, premium=True),
        pro("nobody"),
    ]
    assert ranked_ids(candidates) == ["boost-poor", "premium-good", "premium-poor", "top-rated", "nobody"]


def test_given_boost_and_premium_together_then_above_boost_alone_with_equal_score():
    # Not reachable in production (NOT_CUMULABLE) but the order must still be total and sensible.
    candidates = [pro("boost", boost=True), pro("both", boost=True, premium=True)]
    assert ranked_ids(candidates) == ["both", "boost"]


def test_given_the_bayesian_prior_then_one_five_star_ranks_below_fifty_at_4_8():
    candidates = [
        pro("one-review", rating_sum=5, rating_count=1),
        pro("fifty-reviews", rating_sum=240, rating_count=50),
    ]
    assert ranked_ids(candidates) == ["fifty-reviews", "one-review"]


def test_given_equal_ratings_then_the_pro_with_recent_cancellations_ranks_lower():
    candidates = [pro("cancels", 450, 100, cancels=1), pro("reliable", 450, 100, cancels=0)]
    assert ranked_ids(candidates) == ["reliable", "cancels"]
    assert ranked_ids(list(reversed(candidates))) == ["reliable", "cancels"]


def test_given_a_4_9_pro_with_two_cancels_then_a_reliable_4_5_pro_ranks_above():
    candidates = [pro("flaky", 490, 100, cancels=2), pro("steady", 450, 100)]
    assert ranked_ids(candidates) == ["steady", "flaky"]


# --- tie-break ------------------------------------------------------------------

TIED = [pro(f"pro-{index:02d}", 40, 10) for index in range(20)]


def test_given_tied_pros_then_the_order_is_the_same_for_any_input_order_on_one_day():
    expected = ranked_ids(TIED)
    shuffled = TIED[:]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert ranked_ids(shuffled) == expected


def test_given_tied_pros_then_the_order_is_not_simply_by_id():
    assert ranked_ids(TIED) != sorted(candidate.pro_id for candidate in TIED)


def test_given_tied_pros_then_the_order_changes_from_one_day_to_the_next():
    orders = {tuple(ranked_ids(TIED, day=date(2026, 10, day))) for day in range(1, 8)}
    assert len(orders) == 7


def test_given_tied_pros_then_each_listing_key_has_its_own_order():
    assert ranked_ids(TIED, category="plomberie") != ranked_ids(TIED, category="electricite")
    assert ranked_ids(TIED, city="casablanca") != ranked_ids(TIED, city="marrakech")


def test_given_tied_pros_then_the_tie_break_never_beats_a_higher_score():
    better = pro("better", 41, 10)
    for day in range(1, 29):
        assert ranked_ids(TIED + [better], day=date(2026, 2, day))[0] == "better"


def test_given_offset_pages_of_one_day_then_pages_partition_the_listing():
    listing = ranked_ids(TIED)
    pages = [ranked_ids(TIED)[offset : offset + 6] for offset in range(0, 20, 6)]
    assert [pro_id for page in pages for pro_id in page] == listing
    assert len(set(listing)) == 20


def test_rank_key_is_unique_per_pro_so_the_order_is_total():
    keys = [rank_key(candidate, DAY, CITY, CATEGORY) for candidate in TIED]
    assert len(set(keys)) == len(keys)
