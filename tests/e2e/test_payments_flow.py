"""Premium and Boost over HTTP with the local Stripe stand-in (SPEC §11, §12)."""

from __future__ import annotations

import uuid

PASSWORD = "motdepasse1"


def unique_phone() -> str:
    return f"067{uuid.uuid4().int % 10**7:07d}"


def new_pro(stack, http, phone: str) -> tuple[str, dict]:
    """A PRO with approved KYC and one service (set through the local-only test path)."""
    from tests.e2e.flows import register

    pro_id, _headers = register(stack, http, {
        "phone": phone, "email": f"{uuid.uuid4().hex[:10]}@example.ma", "password": PASSWORD,
        "firstName": "Hamza", "lastName": "Tazi", "role": "PRO", "cityId": "rabat-sale"})
    state = http.post(f"{stack}/_dev/pros/{pro_id}/state", timeout=10,
                      json={"kycStatus": "APPROVED", "categoryIds": ["electricite"]})
    assert state.status_code == 200, state.text
    return pro_id, auth(stack, http, phone)


def auth(stack, http, phone: str) -> dict:
    login = http.post(f"{stack}/auth/login", json={"login": phone, "password": PASSWORD}, timeout=10)
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}


def pay(stack, http, path: str, body: dict, headers: dict) -> dict:
    started = http.post(f"{stack}{path}", json=body, headers=headers, timeout=10)
    assert started.status_code == 201, started.text
    checkout = started.json()
    assert checkout["checkoutUrl"] == f"{stack}/_dev/stripe/checkout/{checkout['sessionId']}"
    assert http.get(checkout["checkoutUrl"], timeout=10).json()["status"] == "OPEN"
    done = http.post(f"{checkout['checkoutUrl']}/complete", timeout=10)
    assert done.status_code == 200, done.text
    assert {d["outcome"] for d in done.json()["delivered"]} == {"applied"}
    return checkout


def test_premium_bought_through_the_local_stripe_flow(stack, http):
    # Given a KYC-approved pro
    _, headers = new_pro(stack, http, unique_phone())
    # When buying Premium and completing the local checkout
    checkout = pay(stack, http, "/pro/subscription/checkout", {"plan": "PREMIUM_ANNUAL_COMMIT"},
                   headers)
    assert checkout["priceMad"] == 300 and checkout["introDiscountMad"] == 50
    # Then GET /pro/subscription shows it, and the 12-month commitment blocks a cancel
    premium = http.get(f"{stack}/pro/subscription", headers=headers, timeout=10).json()["premium"]
    assert premium["status"] == "ACTIVE" and premium["plan"] == "PREMIUM_ANNUAL_COMMIT"
    assert premium["commitmentEndsAt"] is not None
    cancel = http.post(f"{stack}/pro/subscription/cancel", headers=headers, timeout=10)
    assert cancel.status_code == 409 and cancel.json()["error"]["code"] == "COMMITMENT_ACTIVE"
    # And a Boost is now refused
    boost = http.post(f"{stack}/pro/boosts/checkout", json={"categoryId": "electricite"},
                      headers=headers, timeout=10)
    assert boost.status_code == 409 and boost.json()["error"]["code"] == "NOT_CUMULABLE"


def test_boost_bought_shows_then_expires_after_7_days_by_the_dev_clock(stack, http):
    phone = unique_phone()
    _, headers = new_pro(stack, http, phone)
    try:
        assert http.post(f"{stack}/_dev/clock", json={"now": "2031-05-04T12:00:00Z"},
                         timeout=10).status_code == 200
        headers = auth(stack, http, phone)
        pay(stack, http, "/pro/boosts/checkout", {"categoryId": "electricite"}, headers)
        boosts = http.get(f"{stack}/pro/subscription", headers=headers, timeout=10).json()["boosts"]
        assert [b["categoryId"] for b in boosts] == ["electricite"]
        assert boosts[0]["endsAt"].startswith("2031-05-11T12:00")
        # When the dev clock passes the 7 days
        http.post(f"{stack}/_dev/clock", json={"now": "2031-05-11T12:01:00Z"}, timeout=10)
        headers = auth(stack, http, phone)
        # Then the Boost is gone, with no job run
        view = http.get(f"{stack}/pro/subscription", headers=headers, timeout=10).json()
        assert view == {"premium": None, "boosts": []}
    finally:
        http.delete(f"{stack}/_dev/clock", timeout=10)


def test_webhook_without_signature_is_400(stack, http):
    reply = http.post(f"{stack}/webhooks/stripe", data='{"id": "evt_1", "type": "invoice.paid"}',
                      headers={"content-type": "application/json"}, timeout=10)
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "BAD_REQUEST"
