"""« Reco semaine » (SPEC §18): the pros picked per city+category by the weekly job.

Key: RECO#<cityId>#<categoryId> / CURRENT {pro_ids (ranked), run_at, week}. One item per
city+category, replaced by each run; a run never replaces the pick of a later run
(`run_at` condition), so two runs at once, or a late retry, leave the newest pick.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from khadamat.dal.base import BaseItem, get_or_none, conditionally
from khadamat.domain.timeutil import to_storage


class RecommendationItem(BaseItem):
    pro_ids = ListAttribute(of=UnicodeAttribute)
    run_at = UnicodeAttribute()
    week = UnicodeAttribute()  # the local date of the Monday run


def reco_key(city_id: str, category_id: str) -> tuple[str, str]:
    return f"RECO#{city_id}#{category_id}", "CURRENT"


def save_pick(city_id: str, category_id: str, pro_ids: list[str], week: str, now: datetime) -> bool:
    """False when a later run's pick is already stored (kept)."""
    run_at = to_storage(now)
    item = RecommendationItem(*reco_key(city_id, category_id), pro_ids=pro_ids, run_at=run_at, week=week)
    return conditionally(item.save,
                         condition=RecommendationItem.run_at.does_not_exist() | (RecommendationItem.run_at <= run_at))


def get_pick(city_id: str, category_id: str) -> RecommendationItem | None:
    return get_or_none(RecommendationItem, *reco_key(city_id, category_id))
