"""« Reco semaine » (SPEC §7, §18): `recommend-pros`, Monday 06:00 Africa/Casablanca.

Idempotent and safe twice at once: each run recomputes every pick from the listings and
replaces it whole; a run never overwrites a later run's pick (dal.recommendations).
"""

from __future__ import annotations

from khadamat import clock
from khadamat.jobs import job
from khadamat.usecases.pros import recommend_pros as _recommend


@job("recommend-pros")
def recommend_pros() -> dict:
    return _recommend(clock.now())
