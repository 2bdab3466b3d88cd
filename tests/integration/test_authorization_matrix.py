"""Authorization matrix: every route of template.yaml × every kind of caller → expected status.

Callers: anonymous, client, other client, pro, other pro, admin, banned (a banned client).
The expected status is derived from the route's entry in ``ACCESS``:

- ``who="public"``: every caller gets ``ok`` (a token, even a banned one's, changes nothing);
- ``who="any"`` (any signed-in account) or a tuple of roles: anonymous → 401, banned →
  403 ACCOUNT_BANNED, a role outside the tuple → 403 FORBIDDEN, an allowed caller → ``ok``;
- ``owners``: the route reads or changes a resource of the world's ``client`` and/or ``pro``
  (e.g. a booking between them). An allowed caller who is neither an owner nor an admin
  (other client, other pro) → 404, as SPEC says: never reveal others' resources.

Every route of template.yaml (but ``$default``) must have an entry: a new route without
one fails ``test_every_template_route_has_an_access_rule`` (and a stale entry fails too).

Extending at merge — add one ``ACCESS`` entry per new route key ("METHOD /path"):

    "POST /bookings/{id}/confirm": Access(who=(PRO,), owners=("pro",),
                                          params=lambda w: {"id": w.make("booking")},
                                          body={"estimatedDuration": "H1"}),

``params`` and ``body`` may be callables of the ``World`` (and, for ``body``, of the caller
name): ``World.make(kind)`` builds, once per test, a resource owned by the world's client
and pro using a builder registered in ``BUILDERS`` (write one per resource kind: it gets the
world and returns the path id). Use valid bodies: authentication and roles are checked
before validation anyway (khadamat.observability.http_entry), but for an allowed caller a
422 would hide whether ownership was checked. ``ok`` is the status of an allowed owner (an
int, or a dict caller → status when it differs, e.g. a 409 for the second caller of a
one-shot transition); ``fresh=True`` builds a fresh world after each successful call
(destructive routes such as DELETE /me).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import count
from typing import Any, Callable

import pytest

from khadamat import clock, security
from khadamat.domain.accounts import Role, UserStatus
from khadamat.security import issue_access_token
from khadamat.usecases.accounts import create_account
from tests.conftest import TEMPLATE

CLIENT, PRO, ADMIN = Role.CLIENT, Role.PRO, Role.ADMIN
CALLERS = ("anonymous", "client", "other_client", "pro", "other_pro", "admin", "banned")
CALLER_ROLE = {"client": CLIENT, "other_client": CLIENT, "pro": PRO, "other_pro": PRO,
               "admin": ADMIN, "banned": CLIENT}
PASSWORD = "motdepasse1"
_numbers = count(100)


@dataclass
class Access:
    who: str | tuple           # "public", "any", or a tuple of roles
    ok: int | dict = 200       # status of an allowed owner (or caller → status)
    owners: tuple = ()         # world callers owning the resource; other allowed callers → 404
    params: Callable | dict = field(default_factory=dict)   # path parameters
    body: Any = None           # dict, or callable(world, caller) → dict
    fresh: bool = False        # a fresh world after each success (destructive routes)


def _unique_phone() -> str:
    return f"06{next(_numbers):08d}"


def _signup_body(_world, _caller) -> dict:
    return {"phone": _unique_phone(), "email": f"new{next(_numbers)}@example.ma",
            "password": PASSWORD, "firstName": "Nadia", "lastName": "Bennani", "role": "CLIENT"}


def _now_text() -> str:
    return datetime.now(timezone.utc).isoformat()


ACCESS: dict[str, Access] = {
    "GET /health": Access("public"),
    "GET /cities": Access("public"),
    "GET /categories": Access("public"),
    "POST /auth/signup": Access("public", ok=201, body=_signup_body),
    "POST /auth/login": Access("public", body=lambda w, _c: {"login": w.phones["client"],
                                                             "password": PASSWORD}),
    "POST /auth/refresh": Access("public", body=lambda w, _c: {"refreshToken": w.refresh_token()}),
    "POST /auth/logout": Access("public", ok=204, body={"refreshToken": "not-a-real-token"}),
    "GET /me": Access("any"),
    "DELETE /me": Access("any", ok=204, fresh=True),
    "POST /admin/users/{id}/ban": Access((ADMIN,), params=lambda w: {"id": w.ids["target"]},
                                         body={"reason": "fraude"}),
    "POST /admin/users/{id}/unban": Access((ADMIN,), params=lambda w: {"id": w.ids["target"]}),
    # Local-only routes are public on the local stage (404 in any deployed stage).
    "POST /_dev/clock": Access("public", body=lambda _w, _c: {"now": _now_text()}),
    "DELETE /_dev/clock": Access("public"),
    "POST /_dev/jobs/{job}": Access("public", ok=404, params={"job": "no-such-job"}),
    "GET /_dev/outbox": Access("public"),
}

# Builders of resources owned by the world's client and pro: kind → callable(world) → id.
BUILDERS: dict[str, Callable[["World"], str]] = {}


class World:
    """One account per caller kind (and a `target` client for admin actions), with tokens."""

    def __init__(self, api):
        self.api = api
        self.ids: dict[str, str] = {}
        self.phones: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self._made: dict[str, str] = {}
        now = clock.now()
        for name in (*CALLER_ROLE, "target"):
            role = CALLER_ROLE.get(name, CLIENT)
            if role == ADMIN:
                role_kw = {"role": ADMIN, "city_id": None}
            else:
                role_kw = {"role": role, "city_id": "casablanca" if role == PRO else None}
            phone = _unique_phone()
            user = create_account(phone=phone, email=f"{name}{next(_numbers)}@example.ma",
                                  password=PASSWORD, first_name=name.title(), last_name="Test",
                                  whatsapp=None, now=now, **role_kw)
            self.ids[name], self.phones[name] = user.user_id, phone
            self.tokens[name] = issue_access_token(user.user_id, user.role, now)
        self._ban("banned")

    def _ban(self, name: str) -> None:
        from khadamat.dal import users

        users.set_status(users.get_user(self.ids[name]), UserStatus.BANNED, clock.now())

    def refresh_token(self) -> str:
        reply = self.api.post("/auth/login", {"login": self.phones["client"], "password": PASSWORD})
        return reply.body["refreshToken"]

    def make(self, kind: str) -> str:
        if kind not in self._made:
            self._made[kind] = BUILDERS[kind](self)
        return self._made[kind]


def expected_status(rule: Access, caller: str) -> int:
    ok = rule.ok.get(caller, 200) if isinstance(rule.ok, dict) else rule.ok
    if rule.who == "public":
        return ok
    if caller == "anonymous":
        return 401
    if caller == "banned":
        return 403
    if rule.who != "any" and CALLER_ROLE[caller] not in rule.who:
        return 403
    if rule.owners and caller != "admin" and caller not in rule.owners:
        return 404
    return ok


def _call(api, world: World, route_key: str, rule: Access, caller: str):
    method, path = route_key.split(" ", 1)
    params = rule.params(world) if callable(rule.params) else rule.params
    body = rule.body(world, caller) if callable(rule.body) else rule.body
    token = world.tokens.get(caller)
    return api.call(method, path.format(**params), body, token=token)


@pytest.fixture(autouse=True)
def hash_each_password_once(monkeypatch):
    """The matrix makes many accounts with one password: Argon2 it once, not per account."""
    real, hashes = security.hash_password, {}
    monkeypatch.setattr(security, "hash_password",
                        lambda password: hashes.get(password) or hashes.setdefault(password, real(password)))


def test_every_template_route_has_an_access_rule():
    # Given the routes of template.yaml, then the matrix covers exactly them
    routes = {route.route_key for route in TEMPLATE.routes if route.path != "$default"}
    assert sorted(routes - ACCESS.keys()) == [], "add these routes to ACCESS"
    assert sorted(ACCESS.keys() - routes) == [], "these ACCESS entries are not routes any more"


@pytest.mark.parametrize("route_key", sorted(ACCESS))
def test_route_answers_each_caller_as_the_matrix_says(api, route_key):
    rule = ACCESS[route_key]
    world = World(api)
    seen = {}
    # Admin last: its actions (ban, unban) must not change what the others see.
    for caller in sorted(CALLERS, key=lambda name: name == "admin"):
        # When each kind of caller calls the route with a valid body
        reply = _call(api, world, route_key, rule, caller)
        if rule.fresh and reply.status < 300:
            world = World(api)  # the call changed the world (e.g. deleted the caller)
        seen[caller] = (reply.status, (reply.body or {}).get("error", {}).get("code")
                        if isinstance(reply.body, dict) else None)
    # Then each gets the status of the matrix, and denials carry the SPEC's codes
    wanted = {caller: expected_status(rule, caller) for caller in CALLERS}
    assert {caller: status for caller, (status, _code) in seen.items()} == wanted, seen
    if rule.who != "public":
        assert seen["anonymous"][1] == "UNAUTHORIZED"
        assert seen["banned"][1] == "ACCOUNT_BANNED"
        assert all(code == "FORBIDDEN" for caller, (status, code) in seen.items()
                   if status == 403 and caller != "banned")
        assert all(code in ("NOT_FOUND", "PRO_NOT_FOUND") for status, code in seen.values()
                   if status == 404)
