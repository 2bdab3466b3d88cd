"""Over 1,000 mixed concurrent requests on the local stack: every answer is its own request's.

Sign-ups (+ login and GET /me, which must answer for the caller), wrong logins, GET /categories and GET /health, shuffled and
sent by 48 threads at once. Each simulated user has its own X-Forwarded-For address (the
per-IP /auth/* limit must not throttle the test). A request run with another request's event
shows up as a wrong status or body: a sign-up refused as a login body, a wrong login answered
201, GET /me answering for somebody else.
"""

from __future__ import annotations

import itertools
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.e2e.flows import sign_up

THREADS = 48
USERS = 16            # each: sign-up, login, then GET /me 4 times (96 requests)
ME_READS = 4
WRONG_LOGINS = 16     # few password hashes (Argon2id, 64 MiB each): the test takes seconds
READS = 450           # of each: GET /categories, GET /health
_addresses = itertools.count(1)


def _session() -> requests.Session:
    """A simulated user: its own source address, as the edge would report it."""
    number = next(_addresses)
    session = requests.Session()
    session.headers["X-Forwarded-For"] = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    return session


def _user(stack: str) -> str | None:
    with _session() as http:
        user_id, headers = sign_up(stack, http, "CLIENT", first_name="Stress")
        for _ in range(ME_READS):
            me = http.get(f"{stack}/me", headers=headers, timeout=30)
            if me.status_code != 200 or me.json().get("id") != user_id:
                return f"GET /me for {user_id}: {me.status_code} {me.text[:200]}"
    return None


def _wrong_login(stack: str) -> str | None:
    with _session() as http:
        login = f"nobody-{uuid.uuid4().hex[:10]}@example.ma"
        reply = http.post(f"{stack}/auth/login", json={"login": login, "password": "not-the-password"}, timeout=30)
        if reply.status_code != 401 or reply.json()["error"]["code"] != "INVALID_CREDENTIALS":
            return f"wrong login: {reply.status_code} {reply.text[:200]}"
    return None


def _read(stack: str, path: str) -> str | None:
    reply = requests.get(f"{stack}{path}", timeout=30)
    body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else None
    expected = (body == {"status": "ok"}) if path == "/health" else (
        isinstance(body, dict) and any(item.get("id") == "plomberie" for item in body.get("items", [])))
    return None if reply.status_code == 200 and expected else f"GET {path}: {reply.status_code} {reply.text[:200]}"


def _checked(task) -> str | None:
    try:
        return task()
    except Exception as error:  # noqa: BLE001 - an assertion in a shared flow is one more mismatch
        return f"{type(error).__name__}: {str(error)[:200]}"


def test_a_thousand_mixed_concurrent_requests_each_get_their_own_answer(stack):
    tasks = ([lambda: _user(stack)] * USERS + [lambda: _wrong_login(stack)] * WRONG_LOGINS
             + [lambda: _read(stack, "/categories")] * READS
             + [lambda: _read(stack, "/health")] * READS)
    random.Random(14).shuffle(tasks)
    assert USERS * (2 + ME_READS) + WRONG_LOGINS + 2 * READS >= 1_000
    # When they are all sent at once by 48 threads
    with ThreadPoolExecutor(THREADS) as pool:
        mismatches = [m for m in pool.map(_checked, tasks) if m]
    # Then every answer is the one its own request called for
    assert not mismatches, f"{len(mismatches)} answers belonged elsewhere:\n" + "\n".join(mismatches[:10])
