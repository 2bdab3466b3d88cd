"""The Stripe adapter's create parameters and signature checks (no network)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import stripe

from khadamat.adapters import payments as adapter
from khadamat.domain.errors import BadRequest

SECRET = "whsec_unit_test"


def request(kind="PREMIUM", target="PREMIUM_MONTHLY_NO_COMMIT", amount=35000, discount=5000):
    return adapter.CheckoutRequest(pro_id="pro-1", kind=kind, target=target, intent_id="int-1",
                                   amount_centimes=amount, intro_discount_centimes=discount,
                                   product_name="Premium", customer_email="p@example.ma")


def test_premium_is_a_monthly_subscription_in_mad_centimes_with_a_once_coupon():
    params = adapter.session_params(request())
    assert params["mode"] == "subscription"
    price = params["line_items"][0]["price_data"]
    assert price == {"currency": "mad", "unit_amount": 35000, "recurring":
                     {"interval": "month", "interval_count": 1}, "product_data": {"name": "Premium"}}
    assert params["discounts"] == [{"coupon": adapter.INTRO_COUPON_ID}]
    assert params["client_reference_id"] == "pro-1"
    assert params["metadata"] == params["subscription_data"]["metadata"] == {
        "proId": "pro-1", "kind": "PREMIUM", "plan": "PREMIUM_MONTHLY_NO_COMMIT",
        "intentId": "int-1"}


def test_no_coupon_without_discount_and_boost_is_a_one_off_payment():
    assert "discounts" not in adapter.session_params(request(discount=0))
    boost = adapter.session_params(request(kind="BOOST", target="plomberie", amount=20000,
                                           discount=0))
    assert boost["mode"] == "payment" and "recurring" not in boost["line_items"][0]["price_data"]
    assert boost["metadata"]["categoryId"] == "plomberie"


def test_every_create_call_carries_the_idempotency_key(monkeypatch):
    calls = []

    class FakeSessions:
        def create(self, params, options):
            calls.append(("session", options))
            return SimpleNamespace(id="cs_1", url="https://checkout.stripe.com/c/cs_1")

    class FakeCoupons:
        def retrieve(self, coupon_id):
            raise stripe.InvalidRequestError("No such coupon", "id")

        def create(self, params, options):
            calls.append(("coupon", options))

    fake = SimpleNamespace(v1=SimpleNamespace(checkout=SimpleNamespace(sessions=FakeSessions()),
                                              coupons=FakeCoupons()))
    monkeypatch.setattr(stripe, "StripeClient", lambda *args, **kwargs: fake)
    session = adapter.StripePayments("sk_test_x").create_checkout(request())
    assert session == adapter.CheckoutSession("cs_1", "https://checkout.stripe.com/c/cs_1")
    assert [kind for kind, _ in calls] == ["coupon", "session"]
    assert calls[1][1] == {"idempotency_key": "khadamat-checkout-pro-1-PREMIUM-int-1"}
    assert all(options.get("idempotency_key") for _, options in calls)


def test_a_payload_signed_by_the_sdk_verifies_and_any_change_is_400():
    payload = json.dumps({"id": "evt_1", "type": "invoice.paid", "data": {"object": {}}})
    header = adapter.sign_payload(payload, SECRET)
    assert adapter.verify_webhook(payload, header, SECRET)["id"] == "evt_1"
    for body, sig, secret in [(payload + " ", header, SECRET), (payload, None, SECRET),
                              (payload, header, "whsec_other"), (payload, "t=1", SECRET)]:
        with pytest.raises(BadRequest):
            adapter.verify_webhook(body, sig, secret)


def test_an_old_signature_is_refused():
    payload = json.dumps({"id": "evt_1", "type": "invoice.paid"})
    with pytest.raises(BadRequest):
        adapter.verify_webhook(payload, adapter.sign_payload(payload, SECRET, timestamp=1), SECRET)


def test_a_stripe_failure_is_a_clean_503(monkeypatch):
    class FailingSessions:
        def create(self, params, options):
            raise stripe.APIConnectionError("network down")

    fake = SimpleNamespace(v1=SimpleNamespace(checkout=SimpleNamespace(sessions=FailingSessions())))
    monkeypatch.setattr(stripe, "StripeClient", lambda *args, **kwargs: fake)
    with pytest.raises(adapter.PaymentProviderUnavailable) as error:
        adapter.StripePayments("sk_test_x").create_checkout(request(discount=0))
    assert error.value.status == 503
