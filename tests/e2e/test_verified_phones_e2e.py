"""SPEC §15 and the login throttle (SPEC §3) over HTTP against the local stack."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import requests

from tests.e2e.flows import (PASSWORD, bearer, last_code, offer, open_every_day, register,
                             sign_up)
from tests.e2e.invariants import race


def _body(role: str, **extra) -> dict:
    tag = random.randrange(10**7)
    return {"phone": f"066{tag:07d}", "email": f"v{tag}@example.ma", "password": PASSWORD,
            "firstName": "Imane", "lastName": "Chraibi", "role": role, **extra}


def test_signup_then_code_from_the_outbox_then_booking(stack, http):
    # Given a pro that offers plomberie, and a client who just signed up (phone not verified)
    pro_id, pro = sign_up(stack, http, "PRO", "casablanca")
    offer(stack, http, pro, "plomberie")
    open_every_day(stack, http, pro)
    body = _body("CLIENT")
    _client_id, client = register(stack, http, body, verified=False)
    slot = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=10, minute=0, second=0,
                                                                     microsecond=0)
    booking = {"proId": pro_id, "categoryId": "plomberie", "timeSlot": slot.isoformat()}
    refused = http.post(f"{stack}/bookings", json=booking, headers=client, timeout=10)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "PHONE_NOT_VERIFIED"
    # When the code is sent by WhatsApp, read from /_dev/outbox, and verified
    sent = http.post(f"{stack}/auth/otp/send", headers=client, timeout=10,
                     json={"phone": body["phone"], "purpose": "VERIFY_PHONE"})
    assert sent.status_code == 202 and sent.json() == {"expiresIn": 600}
    code = last_code(stack, http, body["phone"])
    verified = http.post(f"{stack}/auth/otp/verify", headers=client, timeout=10,
                         json={"phone": body["phone"], "purpose": "VERIFY_PHONE", "code": code})
    assert verified.status_code == 200 and verified.json() == {"phoneVerified": True}
    # Then /me says so, and the client can book
    assert http.get(f"{stack}/me", headers=client, timeout=10).json()["phoneVerified"] is True
    created = http.post(f"{stack}/bookings", json=booking, headers=client, timeout=10)
    assert created.status_code == 201, created.text


def test_login_by_code_and_no_enumeration(stack, http):
    body = _body("CLIENT")
    register(stack, http, body)
    unknown = http.post(f"{stack}/auth/otp/send", json={"phone": "0677000001", "purpose": "LOGIN"},
                        timeout=10)
    known = http.post(f"{stack}/auth/otp/send", json={"phone": body["phone"], "purpose": "LOGIN"},
                      timeout=10)
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json()) == (202, {"expiresIn": 600})
    reply = http.post(f"{stack}/auth/otp/verify", timeout=10, json={
        "phone": body["phone"], "purpose": "LOGIN", "code": last_code(stack, http, body["phone"])})
    assert reply.status_code == 200 and http.get(
        f"{stack}/me", headers=bearer(reply.json()["accessToken"]), timeout=10).status_code == 200


def test_30_concurrent_wrong_logins_get_at_most_5_unauthorized(stack, http):
    body = _body("CLIENT")
    register(stack, http, body, verified=False)
    logins = [body["phone"], "+212" + body["phone"][1:], body["email"]]

    def attempt(n):
        # each from its own address: the per-IP limit is not what answers here
        headers = {"X-Forwarded-For": f"10.99.{n}.{random.randrange(1, 255)}"}
        return lambda: requests.post(f"{stack}/auth/login", headers=headers, timeout=60,
                                     json={"login": logins[n % 3], "password": "pasbon12345"})

    statuses = Counter(reply.status_code for reply in race([attempt(n) for n in range(30)]))
    assert statuses[401] <= 5 and statuses[401] + statuses[429] == 30, statuses
    right = http.post(f"{stack}/auth/login", json={"login": body["email"], "password": PASSWORD},
                      timeout=10)
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0


def test_per_ip_limit_on_auth_routes(stack, http):
    address = {"X-Forwarded-For": f"192.0.2.{random.randrange(1, 255)}"}
    statuses = [http.post(f"{stack}/auth/logout", json={"refreshToken": "x.y"}, headers=address,
                          timeout=10).status_code for _ in range(101)]
    assert statuses[:100] == [204] * 100 and statuses[100] == 429
