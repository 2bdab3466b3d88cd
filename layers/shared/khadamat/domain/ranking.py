"""Discovery ranking (SPEC §5, PRD §16).

Order: active Boost for this city+category, then active Premium, then quality
score (highest first), then a random tie-break seeded per (local date, city,
category, pro). The order is total and deterministic, so offset paging over
one day's listing is stable, while ties reshuffle from one day to the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# Bayesian prior: a pro with few reviews is scored as if they also had
# PRIOR_WEIGHT reviews of PRIOR_MEAN stars. 4.0 is a little below what active
# pros on such marketplaces average, so a single 5-star review cannot lift a
# newcomer above a pro with a long record of 4.8; 5 phantom reviews means the
# pro's own reviews outweigh the prior from their sixth review on.
PRIOR_MEAN = 4.0
PRIOR_WEIGHT = 5
# Each pro cancellation of a confirmed booking in the last 30 days costs a
# quarter star: a reliable 4.5 ranks above an unreliable 4.9 after two cancels.
PENALTY_PER_PRO_CANCEL = 0.25


@dataclass(frozen=True, slots=True)
class ProCandidate:
    pro_id: str
    rating_sum: int
    rating_count: int
    pro_cancels_30d: int
    premium_active: bool
    boost_active_for_this_city_category: bool


def quality_score(rating_sum: int, rating_count: int, pro_cancels_30d: int) -> float:
    bayesian_average = (PRIOR_WEIGHT * PRIOR_MEAN + rating_sum) / (PRIOR_WEIGHT + rating_count)
    return max(0.0, bayesian_average - PENALTY_PER_PRO_CANCEL * pro_cancels_30d)


def tie_break(listing_day: date, city_id: str, category_id: str, pro_id: str) -> str:
    seed = "|".join((listing_day.isoformat(), city_id, category_id, pro_id))
    return hashlib.sha256(seed.encode()).hexdigest()


def rank_key(candidate: ProCandidate, listing_day: date, city_id: str, category_id: str) -> tuple:
    """Sort key, smallest first; pro_id last makes the order total."""
    return (
        not candidate.boost_active_for_this_city_category,
        not candidate.premium_active,
        -quality_score(candidate.rating_sum, candidate.rating_count, candidate.pro_cancels_30d),
        tie_break(listing_day, city_id, category_id, candidate.pro_id),
        candidate.pro_id,
    )


def rank_pros(
    candidates: Iterable[ProCandidate], listing_day: date, city_id: str, category_id: str
) -> list[ProCandidate]:
    """`listing_day` is the Africa/Casablanca date of the request (timeutil.local_date(now))."""
    return sorted(candidates, key=lambda candidate: rank_key(candidate, listing_day, city_id, category_id))
