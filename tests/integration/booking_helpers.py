"""Accounts, pros and bookings for the booking tests, through the real handlers (moto in-process).

Pros' services and weekly hours are set directly on the UserItem (the pros endpoints are
another area): `offers` lists category ids, the hours are every day 00:00-24:00.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from functools import cache

import pytest

from khadamat.dal.users import UserItem, user_key
from khadamat.domain.timeutil import parse_timestamp
from tests.conftest import name_of

PASSWORD = "motdepasse1"
NOW = "2026-12-01T08:00:00+00:00"  # Casablanca is UTC+00 then
SLOT = "2026-12-02T10:00:00+00:00"
BASE = parse_timestamp(NOW)
_numbers = itertools.count(10_000_001)


def at(hours: float) -> str:
    """A timestamp `hours` after NOW (the test clock's start)."""
    return (BASE + timedelta(hours=hours)).isoformat()


@pytest.fixture
def world(api):
    """A client and a pro (plomberie, every hour), the clock at NOW."""
    set_clock(api)
    return {"client": signup_and_login(api, "CLIENT"), "pro": make_pro(api)}
ALL_WEEK = [{"dayOfWeek": day, "startMin": 0, "endMin": 1440} for day in range(7)]


class Person:
    def __init__(self, user_id: str, token: str, phone: str):
        self.id, self.token, self.phone = user_id, token, phone

    def login(self, api) -> None:
        """A new access token (tokens live 15 minutes of the test clock)."""
        reply = api.post("/auth/login", {"login": self.phone, "password": PASSWORD})
        assert reply.status == 200, reply.body
        self.token = reply.body["accessToken"]


def signup_and_login(api, role: str, verified: bool = True, **extra) -> Person:
    """A new client or pro, logged in, its phone verified unless ``verified=False``."""
    number = next(_numbers)
    phone = f"06{number % 100_000_000:08d}"
    body = {"phone": phone, "email": f"u{number}@example.ma", "password": PASSWORD,
            "firstName": "Prénom", "lastName": f"Nom {name_of(number)}", "role": role, **extra}
    user_id, token = sign_up_verified(api, body, verified=verified,
                                      source_ip=f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}")
    return Person(user_id, token, phone)


def sign_up_verified(api, body: dict, verified: bool = True, source_ip: str = "127.0.0.1") -> tuple[str, str]:
    """THE way integration tests make an account: signup (terms accepted), login by phone, and
    the phone proven with a code as a person would (SPEC §15). (user id, access token)."""
    created = api.post("/auth/signup", {"acceptTerms": True, **body}, source_ip=source_ip)
    assert created.status == 201, created.body
    login = api.post("/auth/login", {"login": body["phone"], "password": body["password"]},
                     source_ip=source_ip)
    assert login.status == 200, login.body
    if verified:
        verify_phone(api, body["phone"], login.body["accessToken"], source_ip=source_ip)
    return created.body["userId"], login.body["accessToken"]


def last_code(api, phone: str) -> str:
    """The latest code the local Verify stand-in sent to ``phone`` (GET /_dev/outbox)."""
    e164 = "+212" + phone.removeprefix("0") if phone.startswith("0") else phone
    codes = [m["code"] for m in api.get("/_dev/outbox").body["items"]
             if m.get("type") == "OTP" and m["to"] == e164]
    assert codes, f"no code sent to {e164}"
    return codes[-1]


def verify_phone(api, phone: str, token: str, source_ip: str = "127.0.0.1") -> None:
    """POST /auth/otp/send then /auth/otp/verify with the code from the outbox."""
    sent = api.post("/auth/otp/send", {"phone": phone, "purpose": "VERIFY_PHONE"}, token=token,
                    source_ip=source_ip)
    assert sent.status == 202, sent.body
    verified = api.post("/auth/otp/verify", {"phone": phone, "purpose": "VERIFY_PHONE",
                                             "code": last_code(api, phone)},
                        token=token, source_ip=source_ip)
    assert verified.status == 200, verified.body


PREMIUM_FOREVER = "2099-01-01T00:00:00.000000Z"


def set_pro_offer(pro_id: str, categories=("plomberie",), hours=ALL_WEEK) -> None:
    """Services and hours written directly; more than one category needs Premium (SPEC §4)."""
    services = [{"categoryId": c, "pricingType": "RANGE", "minPriceMad": 100, "maxPriceMad": 300}
                for c in categories]
    actions = [UserItem.services.set(services), UserItem.weekly_hours.set(list(hours))]
    if len(categories) > 1:
        actions.append(UserItem.premium_until.set(PREMIUM_FOREVER))
    UserItem(*user_key(pro_id)).update(actions=actions)


def make_pro(api, city="casablanca", categories=("plomberie",), **extra) -> Person:
    pro = signup_and_login(api, "PRO", cityId=city, whatsapp="0700000001", **extra)
    set_pro_offer(pro.id, categories)
    return pro


def set_clock(api, now: str = NOW, *people: Person) -> None:
    """Moves the shared clock; `people` log in again (their tokens may have expired)."""
    assert api.post("/_dev/clock", {"now": now}).status == 200
    for person in people:
        person.login(api)


def book(api, client: Person, pro: Person, slot: str = SLOT, category="plomberie", **kw):
    return api.post("/bookings", {"proId": pro.id, "categoryId": category, "timeSlot": slot},
                    token=client.token, **kw)


def act(api, who: Person, booking_id: str, action: str, body=None):
    return api.post(f"/bookings/{booking_id}/{action}", body, token=who.token)


def code(reply) -> str | None:
    return (reply.body or {}).get("error", {}).get("code")


def make_admin(api) -> Person:
    from khadamat.domain.accounts import Role
    from khadamat.usecases.accounts import create_account
    from khadamat.domain.timeutil import parse_timestamp

    number = next(_numbers)
    phone = f"06{number % 100_000_000:08d}"
    user = create_account(phone=phone, email=f"admin{number}@example.ma", password=PASSWORD,
                          first_name="Admin", last_name="K", role=Role.ADMIN, city_id=None,
                          whatsapp=None, now=parse_timestamp(NOW), phone_verified=True)
    login = api.post("/auth/login", {"login": phone, "password": PASSWORD})
    return Person(user.user_id, login.body["accessToken"], phone)


def notification_items() -> list[dict]:
    """Test-only: every notification (USER#… / NOTIF#…: inbox entry and outbox message), raw."""
    return [item for item in table_items("USER#") if item["SK"].startswith("NOTIF#")]


@cache
def _raw_table():
    """The table as a boto3 resource, made once per process (moto intercepts it in every test's
    ``mock_aws``): a boto3 resource loads its models again, ≈ 0.3 s of CPU for each call."""
    import boto3

    from khadamat import config

    return boto3.session.Session(region_name=config.region()).resource("dynamodb").Table(config.table_name())


def table_items(prefix: str) -> list[dict]:
    """Test-only look at raw items by PK prefix (a scan, never done by the app)."""
    table = _raw_table()
    items, kwargs = [], {}
    while True:
        page = table.scan(**kwargs)
        items += [item for item in page["Items"] if item["PK"].startswith(prefix)]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def user_item(user_id: str):
    return UserItem.get(*user_key(user_id))


def run_follow_ups(tasks: list | None = None) -> tuple[list, dict]:
    """What the table's stream does just after a confirm (there is no stream reader in-process):
    the pending follow-up tasks (or ``tasks``) through the real BookingFollowUpsFunction.
    Returns the tasks run and the handler's answer."""
    from infra.local.lambda_runtime import invoke
    from infra.local.stream_pump import stream_event
    from khadamat.dal.tasks import pending_tasks
    from tests.conftest import TEMPLATE

    tasks = pending_tasks() if tasks is None else tasks
    if not tasks:
        return [], {}
    return tasks, invoke(TEMPLATE.function("BookingFollowUpsFunction"), stream_event(tasks)) or {}
