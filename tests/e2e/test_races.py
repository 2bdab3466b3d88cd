"""Races over HTTP against the running local stack: threads released at once, repeated rounds.

Each race asserts its outcome (exactly one winner, the others a clean 409) and then the
store invariants. To add a race (here or in another module): write the contenders as
callables, run them with ``race(...)``, check the replies, then
``assert_store_consistent(store)`` — both from tests/e2e/invariants.py.
"""

from __future__ import annotations

import uuid
from collections import Counter

import requests

from tests.e2e.invariants import assert_store_consistent, race
from tests.conftest import name_of

ROUNDS = 3
CONTENDERS = 8
PASSWORD = "motdepasse1"


def _signup(base: str, phone: str, n: int):
    body = {"phone": phone, "email": f"race-{uuid.uuid4().hex[:10]}-{n}@example.ma",
            "password": PASSWORD, "firstName": "Course", "lastName": name_of(n), "role": "CLIENT",
            "acceptTerms": True}
    return lambda: requests.post(f"{base}/auth/signup", json=body, timeout=60)


def test_concurrent_signups_with_one_phone_make_exactly_one_account(stack, store):
    for round_number in range(ROUNDS):
        # Given one phone number, and CONTENDERS signups with it (different emails)
        phone = f"+21266{uuid.uuid4().int % 10**7:07d}"
        # When they all arrive at once
        replies = race([_signup(stack, phone, n) for n in range(CONTENDERS)])
        # Then exactly one account is created and every other gets 409 ACCOUNT_EXISTS
        statuses = Counter(reply.status_code for reply in replies)
        assert statuses == {201: 1, 409: CONTENDERS - 1}, (round_number, statuses)
        assert all(reply.json()["error"]["code"] == "ACCOUNT_EXISTS"
                   for reply in replies if reply.status_code == 409)
        winner = next(reply.json()["userId"] for reply in replies if reply.status_code == 201)
        owners = [item for item in store.items() if item["PK"] == f"PHONE#{phone}"]
        assert [item["user_id"] for item in owners] == [winner]
    # And the store is consistent (uniqueness items, locks, counters)
    assert_store_consistent(store)
