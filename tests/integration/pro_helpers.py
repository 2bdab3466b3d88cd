"""Shared set-up of the pro and discovery tests: accounts, clock, pros made through the use cases."""

from __future__ import annotations

import pytest

from khadamat import clock
from khadamat.dal.users import UserItem, get_user
from khadamat.domain.accounts import Role
from khadamat.usecases import pros
from khadamat.usecases.accounts import create_account
from tests.conftest import name_of

PASSWORD = "motdepasse1"
# A Monday, Morocco on +01:00.
MONDAY_8AM = "2026-06-01T08:00:00"
ALL_WEEK_9_TO_18 = [{"dayOfWeek": day, "startMin": 540, "endMin": 1080} for day in range(7)]


def set_clock(api, when: str) -> None:
    assert api.post("/_dev/clock", {"now": when}).status == 200


def now():
    clock.begin_invocation()
    return clock.now()


def signup_and_login(api, n: int, role: str = "PRO", city_id: str | None = "casablanca") -> tuple[str, str]:
    """A verified account (booking_helpers.sign_up_verified)."""
    from tests.integration.booking_helpers import sign_up_verified

    body = {"phone": f"06{n:08d}", "email": f"user{n}@example.ma", "password": PASSWORD,
            "firstName": f"Prenom {name_of(n)}", "lastName": f"Nom {name_of(n)}", "role": role}
    if role == "PRO":
        body["cityId"] = city_id
    return sign_up_verified(api, body)


def set_attributes(user_id: str, **values) -> UserItem:
    """What other issues write (ratings, premium, boosts, KYC, status), set directly."""
    user = get_user(user_id)
    user.update(actions=[getattr(UserItem, name).set(value) for name, value in values.items()])
    return get_user(user_id)


def make_pro(n: int, city_id: str = "casablanca", categories=("plomberie",),
             weekly=ALL_WEEK_9_TO_18, **attributes) -> str:
    """A pro with services and weekly hours, made through the use cases (no login: fast)."""
    user = create_account(phone=f"07{n:08d}", email=f"pro{n}@example.ma", password=PASSWORD,
                          first_name=f"Pro {name_of(n)}", last_name=f"Nom {name_of(n)}", role=Role.PRO,
                          city_id=city_id, whatsapp=f"07{n:08d}", now=now(), phone_verified=True)
    if attributes:
        user = set_attributes(user.user_id, **attributes)
    services = [{"category_id": category, "pricing_type": "FIXED", "min_price_mad": None,
                 "max_price_mad": None, "fixed_price_mad": 200} for category in categories]
    pros.replace_services(user, services, now())
    pros.replace_weekly_hours(user, weekly, now())
    return user.user_id


def listed_ids(reply) -> list[str]:
    """The pro ids of a listing answer (GET /pros, /pros/recommended), in order."""
    assert reply.status == 200, reply.body
    return [item["proId"] for item in reply.body["items"]]


@pytest.fixture
def monday(api):
    """The in-process API on a Monday morning (the « Reco semaine » job's day)."""
    set_clock(api, MONDAY_8AM)
    return api
