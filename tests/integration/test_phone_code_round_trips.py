"""Issue 16 item 7: POST /auth/otp/send ≤ 3 and POST /auth/otp/verify ≤ 3 DynamoDB requests
for every purpose, the per-IP /auth/* limit's request included (docs/accounts.md).

CHANGE_PHONE's verify signs the account's other sessions out inside its one transaction (the
account's session epoch: tests/integration/test_signing_out.py), whatever their number."""

from __future__ import annotations

import pytest

from infra.bench import round_trips
from infra.bench.counting import counting
from tests.integration.booking_helpers import BASE, PASSWORD, last_code, signup_and_login
from tests.integration.test_phone_codes import check, clock_set, send  # noqa: F401 (fixture)

BUDGETS = round_trips.OTP_PURPOSE_BUDGETS  # (send, verify) per purpose


def counted(call):
    with counting() as tally:
        reply = call()
    return reply, tally


def _session(api, user):
    return api.post("/auth/login", {"login": user.phone, "password": PASSWORD}).body


@pytest.mark.parametrize("purpose", ["VERIFY_PHONE", "LOGIN", "PASSWORD_RESET", "CHANGE_PHONE"])
def test_send_and_verify_stay_within_three_requests(api, clock_set, purpose):
    user = signup_and_login(api, "CLIENT", verified=purpose != "VERIFY_PHONE")
    token = _session(api, user)["accessToken"] if purpose in ("VERIFY_PHONE", "CHANGE_PHONE") else None
    phone = "0677777001" if purpose == "CHANGE_PHONE" else user.phone
    sent, send_tally = counted(lambda: send(api, phone, purpose, token))
    assert sent.status == 202, sent.body
    code = last_code(api, phone)
    checked, check_tally = counted(lambda: check(api, phone, code, purpose, token))
    assert checked.status == 200, checked.body
    send_budget, verify_budget = BUDGETS[purpose]
    assert send_tally.requests <= send_budget, dict(send_tally.operations)
    assert check_tally.requests <= verify_budget, dict(check_tally.operations)


# ---------------------------------------------------------------- the per-IP hit in the transaction
def ip_hits(ip: str) -> int:
    from khadamat.api.throttle import _auth_per_ip
    from khadamat.dal import limits

    try:
        return int(limits.LimitWindowItem.get(*limits.window_key(_auth_per_ip(), ip, BASE),
                                              consistent_read=True).hits)
    except limits.LimitWindowItem.DoesNotExist:
        return 0


def fill_window(ip: str) -> None:
    from khadamat.api.throttle import _auth_per_ip
    from khadamat.dal import limits

    limit = _auth_per_ip()
    item = limits.window_item(limit, ip, BASE)
    item.update(actions=[limits.LimitWindowItem.hits.set(limit.limit), limits.LimitWindowItem.ttl.set(item.ttl)])


def verify_from(api, ip, phone, code, purpose, token=None):
    return api.post("/auth/otp/verify", {"phone": phone, "code": code, "purpose": purpose},
                    token=token, source_ip=ip)


@pytest.mark.parametrize("purpose", ["LOGIN", "VERIFY_PHONE"])
def test_every_verify_counts_once_against_its_ip_whatever_its_outcome(api, clock_set, purpose):
    user = signup_and_login(api, "CLIENT", verified=purpose == "LOGIN")
    token = _session(api, user)["accessToken"] if purpose == "VERIFY_PHONE" else None
    assert send(api, user.phone, purpose, token).status == 202
    ip = "198.51.100.60" if purpose == "LOGIN" else "198.51.100.61"
    code = last_code(api, user.phone)
    wrong = "000000" if code != "000000" else "111111"
    # a wrong code, a malformed body, then the right code: three requests, three hits
    assert verify_from(api, ip, user.phone, wrong, purpose, token).status == 401
    assert api.post("/auth/otp/verify", {"phone": user.phone}, source_ip=ip).status == 422
    assert ip_hits(ip) == 2
    assert verify_from(api, ip, user.phone, code, purpose, token).status == 200
    assert ip_hits(ip) == 3


@pytest.mark.parametrize("purpose", ["LOGIN", "VERIFY_PHONE", "PASSWORD_RESET"])
def test_a_full_ip_window_refuses_verify_before_the_code_is_used(api, clock_set, purpose):
    user = signup_and_login(api, "CLIENT", verified=purpose != "VERIFY_PHONE")
    token = _session(api, user)["accessToken"] if purpose == "VERIFY_PHONE" else None
    assert send(api, user.phone, purpose, token).status == 202
    code = last_code(api, user.phone)
    fill_window("198.51.100.70")
    # When the right code comes from a throttled address, then 429 and nothing is counted
    refused = verify_from(api, "198.51.100.70", user.phone, code, purpose, token)
    assert refused.status == 429 and refused.body["error"]["code"] == "RATE_LIMITED"
    assert ip_hits("198.51.100.70") == 100
    # and the code still works from another address (it was not used up)
    assert verify_from(api, "198.51.100.71", user.phone, code, purpose, token).status == 200
