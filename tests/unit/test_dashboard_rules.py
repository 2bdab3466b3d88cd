"""Dashboard windows and prices (domain.dashboard, dal.pro_stats.booking_price_mad); photo keys."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from khadamat.dal.pro_stats import booking_price_mad
from khadamat.domain.dashboard import Events, dashboard, read_window_start
from khadamat.domain.photos import parse_upload_key, photo_limit
from khadamat.domain.timeutil import to_storage

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=timezone.utc)  # Casablanca is UTC+00 then


def at(delta: timedelta) -> str:
    return to_storage(NOW + delta)


def numbers(**sets) -> dict:
    events = Events.parse(sets.get("requests", ()), sets.get("exits", ()), sets.get("completions", ()),
                          sets.get("pro_cancels", ()))
    return dashboard(events, NOW, {"average": None, "count": 0}, premium=True)


def test_windows_are_exact_to_the_second():
    week, month = timedelta(days=7), timedelta(days=30)
    result = numbers(
        requests=[f"{at(-week)}|on-edge|{at(-week + timedelta(hours=12))}",
                  f"{at(-week + timedelta(seconds=1))}|inside|{at(-week + timedelta(hours=12))}"],
        exits=[f"{at(-week + timedelta(hours=1))}|on-edge|CONFIRMED|3600",
               f"{at(-week + timedelta(hours=2))}|inside|DECLINED|7200"],
        completions=[f"{at(-month)}|a|100", f"{at(-month + timedelta(seconds=1))}|b|300"],
        pro_cancels=[at(-month), at(timedelta(seconds=-1))])
    # the request made exactly 7 × 24 h ago is out of the cohort: only the declined one is in
    assert result["acceptanceRate7d"] == 0.0 and result["medianResponseMinutes7d"] == 120.0
    assert (result["completed30d"], result["estimatedRevenue30dMad"], result["cancelledByPro30d"]) == (1, 300, 1)


def test_pending_now_excludes_exits_and_expired_requests_and_today_is_local():
    result = numbers(requests=[f"{at(timedelta(hours=-11))}|late|{at(timedelta(hours=1))}",
                               f"{at(timedelta(hours=-1))}|answered|{at(timedelta(hours=11))}",
                               f"{at(timedelta(hours=-13))}|expired|{at(timedelta(hours=-1))}"],
                     exits=[f"{at(timedelta(minutes=-30))}|answered|CONFIRMED|1800"])
    assert result["pendingNow"] == 1
    assert result["requestsToday"] == 1  # 09:30 today; 23:30 and 21:30 were yesterday
    assert result["daily"][-1] == {"date": "2026-12-07", "requests": 1, "confirmed": 1, "completed": 0}
    assert len(result["daily"]) == 30 and result["daily"][0]["date"] == "2026-11-08"


def test_no_decided_request_gives_nulls_and_daily_only_with_premium():
    events = Events.parse([], [], [], [])
    result = dashboard(events, NOW, {"average": None, "count": 0}, premium=False)
    assert (result["acceptanceRate7d"], result["medianResponseMinutes7d"], result["daily"]) == (None, None, None)


def test_read_window_covers_thirty_local_days_and_thirty_times_24_hours():
    assert read_window_start(NOW) == datetime(2026, 11, 7, 10, 30, tzinfo=timezone.utc)
    summer = datetime(2026, 7, 1, 0, 30, tzinfo=timezone.utc)  # 01:30 in Casablanca (+01:00)
    assert read_window_start(summer) == datetime(2026, 6, 1, 0, 30, tzinfo=timezone.utc)


def test_price_as_booked():
    assert booking_price_mad({"pricingType": "FIXED", "fixedPriceMad": 250}) == 250
    assert booking_price_mad({"pricingType": "RANGE", "minPriceMad": 100, "maxPriceMad": 301}) == 201
    assert booking_price_mad({"pricingType": "RANGE", "minPriceMad": 100, "maxPriceMad": 300}) == 200
    assert booking_price_mad(None) is None


def test_photo_keys_and_limits():
    assert parse_upload_key("uploads/p/ph") == ("p", "ph")
    assert parse_upload_key("uploads/p/ph/extra") is None and parse_upload_key("kyc/p/ph") is None
    assert (photo_limit(False), photo_limit(True)) == (3, 12)
