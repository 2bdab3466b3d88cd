"""Premium and Boost (SPEC §12) through the real handlers, with the local Stripe stand-in."""

from __future__ import annotations

import itertools
import json

import pytest
import stripe

from khadamat import clock
from khadamat.adapters import payments as stripe_adapter
from khadamat.dal import payments as store
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.timeutil import parse_timestamp

PASSWORD = "motdepasse1"
T0 = "2030-01-15T10:00:00Z"
_phones = itertools.count(10)
_phone_of: dict[str, str] = {}


def new_user(api, role="PRO", kyc="APPROVED", services=("plomberie",)) -> tuple[str, str]:
    """Signs up and logs in; KYC and services set directly (their endpoints are other issues)."""
    n = next(_phones)
    phone = f"06123456{n:02d}"
    body = {"phone": phone, "email": f"pro{n}@example.ma", "password": PASSWORD,
            "firstName": "Youssef", "lastName": "Benali", "role": role}
    if role == "PRO":
        body["cityId"] = "casablanca"
    from tests.integration.booking_helpers import sign_up_verified

    user_id, _token = sign_up_verified(api, body)
    if role == "PRO":
        user = UserItem.get(*user_key(user_id))
        user.update(actions=[UserItem.kyc_status.set(kyc),
                             UserItem.services.set([{"categoryId": c} for c in services])])
    _phone_of[user_id] = phone
    return user_id, fresh_token(api, user_id)


def fresh_token(api, user_id: str) -> str:
    """Access tokens live 15 minutes: log in again after moving the clock."""
    reply = api.post("/auth/login", {"login": _phone_of[user_id], "password": PASSWORD})
    return reply.body["accessToken"]


@pytest.fixture
def pro(api, monkeypatch):
    # The dev clock runs on at real speed; frozen here so that instants compare exactly.
    frozen = clock.system_now()
    monkeypatch.setattr(clock, "system_now", lambda: frozen)
    api.post("/_dev/clock", {"now": T0})
    return new_user(api)


def buy(api, token, path="/pro/subscription/checkout", body=None):
    started = api.post(path, body or {"plan": "PREMIUM_MONTHLY_NO_COMMIT"}, token=token)
    assert started.status == 201, started.body
    done = api.post(f"/_dev/stripe/checkout/{started.body['sessionId']}/complete")
    assert done.status == 200, done.body
    return started.body, done.body


def signed_post(api, event: dict, secret: str | None = None, tamper: bool = False,
                header: str | None = "auto"):
    payload = json.dumps(event)
    if header == "auto":
        header = stripe.WebhookSignature.generate_signature_header(
            payload, secret or stripe_adapter.webhook_secret())
    if tamper:
        payload = payload.replace('"end": ', '"end": 1', 1)
    headers = {"stripe-signature": header} if header else {}
    return api.call("POST", "/webhooks/stripe", raw_body=payload, headers=headers)


def invoice_paid(event_id, pro_id, sub_id, start, end, plan="PREMIUM_MONTHLY_NO_COMMIT"):
    return {"id": event_id, "type": "invoice.paid", "created": start, "data": {"object": {
        "id": f"in_{event_id}", "object": "invoice",
        "parent": {"subscription_details": {"subscription": sub_id,
                                            "metadata": {"proId": pro_id, "plan": plan,
                                                         "kind": "PREMIUM"}}},
        "lines": {"data": [{"period": {"start": start, "end": end}}]}}}}


def subscription_deleted(event_id, pro_id, sub_id, ended_at, plan="PREMIUM_MONTHLY_NO_COMMIT"):
    return {"id": event_id, "type": "customer.subscription.deleted", "created": ended_at,
            "data": {"object": {"id": sub_id, "object": "subscription", "ended_at": ended_at,
                                "metadata": {"proId": pro_id, "plan": plan, "kind": "PREMIUM"}}}}


def subscription_updated(event_id, pro_id, sub_id, created, status="active", cancel=False,
                         period_end=None, ended_at=None, plan="PREMIUM_MONTHLY_NO_COMMIT"):
    """A customer.subscription.updated (API 2025+: the period end lives on the items)."""
    items = {"data": [{"current_period_end": period_end}]} if period_end else {"data": []}
    return {"id": event_id, "type": "customer.subscription.updated", "created": created,
            "data": {"object": {"id": sub_id, "object": "subscription", "status": status,
                                "cancel_at_period_end": cancel, "ended_at": ended_at,
                                "items": items,
                                "metadata": {"proId": pro_id, "plan": plan, "kind": "PREMIUM"}},
                     "previous_attributes": {}}}


def epoch(text: str) -> int:
    return int(parse_timestamp(text).timestamp())


def premium_until(pro_id):
    return UserItem.get(*user_key(pro_id)).premium_until


# ---------------------------------------------------------------- Premium
def test_premium_bought_through_the_local_flow_shows_and_ends_at_period_end(api, pro):
    pro_id, token = pro
    # Given a KYC-approved pro who never subscribed
    started, done = buy(api, token)
    # Then the quote has the −50 MAD intro, and the local URL points at the stand-in
    assert started["priceMad"] == 350 and started["introDiscountMad"] == 50
    assert started["checkoutUrl"].endswith(f"/_dev/stripe/checkout/{started['sessionId']}")
    assert [d["type"] for d in done["delivered"]] == ["checkout.session.completed", "invoice.paid"]
    assert {d["outcome"] for d in done["delivered"]} == {"applied"}
    # When reading the subscription
    view = api.get("/pro/subscription", token=token)
    assert view.status == 200
    assert view.body["premium"] == {"status": "ACTIVE", "plan": "PREMIUM_MONTHLY_NO_COMMIT",
                                    "currentPeriodEnd": "2030-02-15T10:00:00+00:00",
                                    "commitmentEndsAt": None}
    assert view.body["boosts"] == []
    # And after the period end (no renewal invoice), Premium is gone by the clock alone
    api.post("/_dev/clock", {"now": "2030-02-15T10:00:01Z"})
    token = fresh_token(api, pro[0])
    assert api.get("/pro/subscription", token=token).body["premium"] is None


def test_intro_discount_only_once_even_after_premium_ended(api, pro):
    _, token = pro
    buy(api, token)
    api.post("/_dev/clock", {"now": "2030-03-01T10:00:00Z"})
    token = fresh_token(api, pro[0])
    again = api.post("/pro/subscription/checkout", {"plan": "PREMIUM_ANNUAL_COMMIT"}, token=token)
    assert again.status == 201
    assert again.body["priceMad"] == 300 and again.body["introDiscountMad"] == 0


def test_a_retried_checkout_gets_the_same_session(api, pro):
    _, token = pro
    first = api.post("/pro/subscription/checkout", {"plan": "PREMIUM_ANNUAL_COMMIT"}, token=token)
    second = api.post("/pro/subscription/checkout", {"plan": "PREMIUM_ANNUAL_COMMIT"}, token=token)
    other_plan = api.post("/pro/subscription/checkout", {"plan": "PREMIUM_MONTHLY_NO_COMMIT"},
                          token=token)
    assert first.body["sessionId"] == second.body["sessionId"]
    assert other_plan.body["sessionId"] != first.body["sessionId"]
    # a concurrent retry recording the same session again is harmless
    intent = store.get_intent(pro[0], "PREMIUM")
    store.record_session(pro[0], "PREMIUM", intent.intent_id, intent.target, intent.session_id,
                         intent.session_url, parse_timestamp(T0))


def test_completing_a_session_twice_replays_and_changes_nothing(api, pro):
    pro_id, token = pro
    started, _ = buy(api, token)
    before = premium_until(pro_id)
    again = api.post(f"/_dev/stripe/checkout/{started['sessionId']}/complete")
    assert {d["outcome"] for d in again.body["delivered"]} == {"duplicate"}
    assert premium_until(pro_id) == before


def test_cancel_without_commitment_ends_at_period_end(api, pro):
    _, token = pro
    buy(api, token)
    cancelled = api.post("/pro/subscription/cancel", token=token)
    assert cancelled.status == 200, cancelled.body
    assert cancelled.body["premium"]["status"] == "CANCELING"
    assert cancelled.body["premium"]["currentPeriodEnd"] == "2030-02-15T10:00:00+00:00"
    api.post("/_dev/clock", {"now": "2030-02-16T10:00:00Z"})
    token = fresh_token(api, pro[0])
    assert api.get("/pro/subscription", token=token).body["premium"] is None


def test_cancel_inside_the_12_month_commitment_is_409(api, pro):
    _, token = pro
    buy(api, token, body={"plan": "PREMIUM_ANNUAL_COMMIT"})
    view = api.get("/pro/subscription", token=token).body["premium"]
    assert view["commitmentEndsAt"] == "2031-01-15T10:00:00+00:00"
    reply = api.post("/pro/subscription/cancel", token=token)
    assert reply.status == 409 and reply.body["error"]["code"] == "COMMITMENT_ACTIVE"
    assert api.get("/pro/subscription", token=token).body["premium"]["status"] == "ACTIVE"


def test_cancel_without_premium_is_404(api, pro):
    reply = api.post("/pro/subscription/cancel", token=pro[1])
    assert reply.status == 404


# ---------------------------------------------------------------- Boost
def test_boost_shows_then_expires_after_7_days(api, pro):
    _, token = pro
    started, done = buy(api, token, "/pro/boosts/checkout", {"categoryId": "plomberie"})
    assert started["priceMad"] == 200 and "introDiscountMad" not in started
    assert [d["outcome"] for d in done["delivered"]] == ["applied"]
    boosts = api.get("/pro/subscription", token=token).body["boosts"]
    assert boosts == [{"categoryId": "plomberie", "startsAt": "2030-01-15T10:00:00+00:00",
                       "endsAt": "2030-01-22T10:00:00+00:00"}]
    api.post("/_dev/clock", {"now": "2030-01-22T10:00:00Z"})
    token = fresh_token(api, pro[0])
    assert api.get("/pro/subscription", token=token).body["boosts"] == []


def test_boost_for_a_category_not_offered_is_422(api, pro):
    reply = api.post("/pro/boosts/checkout", {"categoryId": "jardinage"}, token=pro[1])
    assert reply.status == 422 and reply.body["error"]["code"] == "CATEGORY_NOT_OFFERED"


def test_premium_then_boost_is_not_cumulable(api, pro):
    _, token = pro
    buy(api, token)
    reply = api.post("/pro/boosts/checkout", {"categoryId": "plomberie"}, token=token)
    assert reply.status == 409 and reply.body["error"]["code"] == "NOT_CUMULABLE"


def test_boost_then_premium_is_not_cumulable_until_the_boost_ends(api, pro):
    _, token = pro
    buy(api, token, "/pro/boosts/checkout", {"categoryId": "plomberie"})
    reply = api.post("/pro/subscription/checkout", {"plan": "PREMIUM_MONTHLY_NO_COMMIT"},
                     token=token)
    assert reply.status == 409 and reply.body["error"]["code"] == "NOT_CUMULABLE"
    api.post("/_dev/clock", {"now": "2030-01-22T10:00:00Z"})
    token = fresh_token(api, pro[0])
    assert api.post("/pro/subscription/checkout", {"plan": "PREMIUM_MONTHLY_NO_COMMIT"},
                    token=token).status == 201


# ---------------------------------------------------------------- who may buy
@pytest.mark.parametrize("path,body", [("/pro/subscription/checkout", {"plan": "PREMIUM_ANNUAL_COMMIT"}),
                                       ("/pro/boosts/checkout", {"categoryId": "plomberie"})])
def test_without_approved_kyc_is_403_kyc_required(api, path, body):
    _, token = new_user(api, kyc="PENDING")
    reply = api.post(path, body, token=token)
    assert reply.status == 403 and reply.body["error"]["code"] == "KYC_REQUIRED"


@pytest.mark.parametrize("method,path", [("POST", "/pro/subscription/checkout"),
                                         ("POST", "/pro/boosts/checkout"),
                                         ("GET", "/pro/subscription"),
                                         ("POST", "/pro/subscription/cancel")])
def test_a_client_gets_403_forbidden(api, method, path):
    _, token = new_user(api, role="CLIENT")
    reply = api.call(method, path, {"plan": "x"} if method == "POST" else None, token=token)
    assert reply.status == 403 and reply.body["error"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("body", [{"plan": "GOLD"}, {}, {"plan": "x" * 100}])
def test_bad_plan_is_422(api, pro, body):
    reply = api.post("/pro/subscription/checkout", body, token=pro[1])
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"


# ---------------------------------------------------------------- webhook
def test_webhook_signed_by_the_sdk_extends_premium_and_a_replay_is_a_no_op(api, pro):
    pro_id, _ = pro
    event = invoice_paid("evt_1", pro_id, "sub_1", epoch(T0), epoch("2030-02-15T10:00:00Z"))
    first = signed_post(api, event)
    assert first.status == 200 and first.body["outcome"] == "applied"
    assert premium_until(pro_id).startswith("2030-02-15T10:00:00")
    assert store.has_ever_subscribed(pro_id)
    replay = signed_post(api, event)
    assert replay.status == 200 and replay.body["outcome"] == "duplicate"


@pytest.mark.parametrize("variant", ["tampered", "missing", "wrong_secret", "garbage_header"])
def test_bad_or_missing_signature_is_400_and_changes_nothing(api, pro, variant):
    pro_id, _ = pro
    event = invoice_paid("evt_bad", pro_id, "sub_1", epoch(T0), epoch("2030-02-15T10:00:00Z"))
    reply = signed_post(api, event, tamper=variant == "tampered",
                        header=None if variant == "missing"
                        else "t=1,v1=abc" if variant == "garbage_header" else "auto",
                        secret="whsec_other" if variant == "wrong_secret" else None)
    assert reply.status == 400 and reply.body["error"]["code"] == "BAD_REQUEST"
    assert premium_until(pro_id) is None and store.get_subscription(pro_id, "sub_1") is None
    # the event was not recorded either: the genuine delivery still applies
    assert signed_post(api, event).body["outcome"] == "applied"


def test_not_json_but_signed_is_400(api):
    payload = "not json"
    header = stripe.WebhookSignature.generate_signature_header(payload,
                                                               stripe_adapter.webhook_secret())
    reply = api.call("POST", "/webhooks/stripe", raw_body=payload,
                     headers={"stripe-signature": header})
    assert reply.status == 400


def test_subscription_deleted_before_invoice_paid_never_resurrects_premium(api, pro):
    pro_id, token = pro
    start, end = epoch(T0), epoch("2030-02-15T10:00:00Z")
    deleted = signed_post(api, subscription_deleted("evt_del", pro_id, "sub_2", start + 60))
    assert deleted.status == 200
    late_paid = signed_post(api, invoice_paid("evt_paid", pro_id, "sub_2", start, end))
    assert late_paid.status == 200 and late_paid.body["outcome"] == "no-change"
    assert premium_until(pro_id) is None
    assert api.get("/pro/subscription", token=token).body["premium"] is None


def test_subscription_deleted_ends_premium_and_older_invoices_never_shorten_it(api, pro):
    pro_id, token = pro
    jan, feb, mar = epoch(T0), epoch("2030-02-15T10:00:00Z"), epoch("2030-03-15T10:00:00Z")
    signed_post(api, invoice_paid("evt_a", pro_id, "sub_3", feb, mar))
    # an older period arriving late does not move the period back
    assert signed_post(api, invoice_paid("evt_b", pro_id, "sub_3", jan, feb)).body["outcome"] \
        == "no-change"
    assert premium_until(pro_id).startswith("2030-03-15")
    api.post("/_dev/clock", {"now": "2030-02-20T10:00:00Z"})
    token = fresh_token(api, pro[0])
    signed_post(api, subscription_deleted("evt_c", pro_id, "sub_3", epoch("2030-02-20T10:00:00Z")))
    assert premium_until(pro_id).startswith("2030-02-20")
    assert api.get("/pro/subscription", token=token).body["premium"] is None


def test_payment_failed_keeps_premium_to_the_paid_period_end_only(api, pro):
    pro_id, token = pro
    signed_post(api, invoice_paid("evt_p", pro_id, "sub_4", epoch(T0),
                                  epoch("2030-02-15T10:00:00Z")))
    failed = invoice_paid("evt_f", pro_id, "sub_4", epoch(T0), epoch("2030-03-15T10:00:00Z"))
    failed["type"] = "invoice.payment_failed"
    assert signed_post(api, failed).body["outcome"] == "applied"
    view = api.get("/pro/subscription", token=token).body["premium"]
    assert view["status"] == "PAST_DUE"
    assert view["currentPeriodEnd"] == "2030-02-15T10:00:00+00:00"


def deliver_with_duplicate_in_between(api, monkeypatch, store_write: str, event: dict):
    """Posts `event`; a duplicate delivery runs whole between the first one's reads and its
    `store.<store_write>`. Returns the first reply and the duplicate's outcome."""
    original = getattr(store, store_write)
    outcomes = []

    def duplicate_arrives_in_between(**kwargs):
        monkeypatch.setattr(store, store_write, original)
        outcomes.append(signed_post(api, event).body["outcome"])
        original(**kwargs)

    monkeypatch.setattr(store, store_write, duplicate_arrives_in_between)
    return signed_post(api, event), outcomes


def test_concurrent_duplicate_boost_delivery_applies_once(api, pro, monkeypatch):
    # Given a boost checkout session paid on Stripe
    pro_id, token = pro
    started = api.post("/pro/boosts/checkout", {"categoryId": "plomberie"}, token=token).body
    event = stripe_adapter.LocalStripe(parse_timestamp(T0)).completion_events(started["sessionId"])[0]
    # When a duplicate delivery runs completely between the first one's read and its write
    first, outcomes = deliver_with_duplicate_in_between(api, monkeypatch, "apply_boost_purchase", event)
    # Then exactly one delivery applied the Boost and both answered 200
    assert first.status == 200
    assert sorted([first.body["outcome"], *outcomes]) == ["applied", "duplicate"]
    assert len(UserItem.get(*user_key(pro_id)).boosts) == 1


def test_unknown_event_types_are_acknowledged(api):
    reply = signed_post(api, {"id": "evt_x", "type": "customer.created", "data": {"object": {}}})
    assert reply.status == 200 and reply.body["outcome"] == "ignored"


def test_dev_complete_of_an_unknown_session_is_404(api):
    assert api.post("/_dev/stripe/checkout/cs_nope/complete").status == 404


def test_concurrent_duplicate_invoice_delivery_applies_once(api, pro, monkeypatch):
    # Given an invoice.paid delivered twice, the second running between the first's read and write
    pro_id, _ = pro
    event = invoice_paid("evt_dup", pro_id, "sub_5", epoch(T0), epoch("2030-02-15T10:00:00Z"))
    first, outcomes = deliver_with_duplicate_in_between(api, monkeypatch, "apply_subscription_change", event)
    # Then one applied, the other is a no-op, and the subscription moved exactly once
    assert first.status == 200
    assert sorted([first.body["outcome"], *outcomes]) == ["applied", "duplicate"]
    assert store.get_subscription(pro_id, "sub_5").version == 1
    assert premium_until(pro_id).startswith("2030-02-15T10:00:00")


def test_a_paid_boost_of_an_unknown_pro_is_ignored_and_recorded(api):
    # Given a Boost checkout completion naming a pro that does not exist
    session = {"id": "cs_ghost", "object": "checkout.session", "payment_status": "paid",
               "metadata": {"proId": "no-such-pro", "kind": "BOOST", "categoryId": "plomberie"}}
    event = {"id": "evt_ghost", "type": "checkout.session.completed", "created": epoch(T0),
             "data": {"object": session}}
    # When it is delivered, then it is acknowledged without effect (no profile created)
    reply = signed_post(api, event)
    assert reply.status == 200 and reply.body["outcome"] == "ignored"
    with pytest.raises(UserItem.DoesNotExist):
        UserItem.get(*user_key("no-such-pro"))
    # And it was recorded: a replay is a duplicate
    assert signed_post(api, event).body["outcome"] == "duplicate"


# ---------------------------------------------------------------- customer.subscription.updated
FEB_15 = "2030-02-15T10:00:00+00:00"


def paid_premium(api, pro_id, sub_id):
    event = invoice_paid(f"evt_paid_{sub_id}", pro_id, sub_id, epoch(T0), epoch("2030-02-15T10:00:00Z"))
    assert signed_post(api, event).body["outcome"] == "applied"


def test_a_cancel_made_on_stripe_shows_as_canceling_and_a_replay_changes_nothing(api, pro):
    pro_id, token = pro
    paid_premium(api, pro_id, "sub_u1")
    # Given Stripe says the subscription will cancel at the period end (dashboard, portal)
    event = subscription_updated("evt_u1", pro_id, "sub_u1", epoch(T0) + 60, cancel=True,
                                 period_end=epoch("2030-03-15T10:00:00Z"))
    first = signed_post(api, event)
    # Then Premium shows CANCELING, still to the paid period end (the snapshot never extends it)
    assert first.status == 200 and first.body["outcome"] == "applied"
    premium = api.get("/pro/subscription", token=token).body["premium"]
    assert premium["status"] == "CANCELING" and premium["currentPeriodEnd"] == FEB_15
    assert premium_until(pro_id).startswith("2030-02-15T10:00:00")
    # And a replay is a duplicate, the subscription moved once
    version = store.get_subscription(pro_id, "sub_u1").version
    assert signed_post(api, event).body["outcome"] == "duplicate"
    assert store.get_subscription(pro_id, "sub_u1").version == version


def test_an_older_update_arriving_after_a_newer_one_changes_nothing(api, pro):
    pro_id, token = pro
    paid_premium(api, pro_id, "sub_u2")
    # Given the cancel was scheduled (t+60) then undone (t+120) on Stripe
    scheduled = subscription_updated("evt_u2a", pro_id, "sub_u2", epoch(T0) + 60, cancel=True)
    undone = subscription_updated("evt_u2b", pro_id, "sub_u2", epoch(T0) + 120, cancel=False)
    # When the newer event arrives first
    assert signed_post(api, undone).body["outcome"] == "applied"
    late = signed_post(api, scheduled)
    # Then the older one is acknowledged without effect: Premium stays ACTIVE
    assert late.status == 200 and late.body["outcome"] == "no-change"
    assert api.get("/pro/subscription", token=token).body["premium"]["status"] == "ACTIVE"
    assert signed_post(api, scheduled).body["outcome"] == "duplicate"


def test_our_cancel_is_not_undone_by_an_older_stripe_snapshot(api, pro):
    pro_id, token = pro
    paid_premium(api, pro_id, "sub_u3")
    api.post("/_dev/clock", {"now": "2030-01-20T10:00:00Z"})
    token = fresh_token(api, pro_id)
    assert api.post("/pro/subscription/cancel", token=token).status == 200
    # a snapshot taken before the cancel (still active, no cancel) arrives afterwards
    stale = subscription_updated("evt_u3", pro_id, "sub_u3", epoch("2030-01-18T10:00:00Z"))
    assert signed_post(api, stale).body["outcome"] == "no-change"
    assert api.get("/pro/subscription", token=token).body["premium"]["status"] == "CANCELING"


def test_past_due_then_active_again_by_updates(api, pro):
    pro_id, token = pro
    paid_premium(api, pro_id, "sub_u4")
    signed_post(api, subscription_updated("evt_u4a", pro_id, "sub_u4", epoch(T0) + 60,
                                          status="past_due"))
    assert api.get("/pro/subscription", token=token).body["premium"]["status"] == "PAST_DUE"
    signed_post(api, subscription_updated("evt_u4b", pro_id, "sub_u4", epoch(T0) + 120))
    premium = api.get("/pro/subscription", token=token).body["premium"]
    assert premium["status"] == "ACTIVE" and premium["currentPeriodEnd"] == FEB_15


def test_an_update_to_canceled_ends_premium_at_ended_at(api, pro):
    pro_id, token = pro
    paid_premium(api, pro_id, "sub_u5")
    ended_at = epoch("2030-01-20T10:00:00Z")
    reply = signed_post(api, subscription_updated("evt_u5", pro_id, "sub_u5", ended_at,
                                                  status="canceled", ended_at=ended_at))
    assert reply.body["outcome"] == "applied"
    assert premium_until(pro_id).startswith("2030-01-20T10:00:00")
    assert store.get_subscription(pro_id, "sub_u5").status == "ENDED"
    # a later "active" snapshot never resurrects it
    again = subscription_updated("evt_u5b", pro_id, "sub_u5", ended_at + 60)
    assert signed_post(api, again).body["outcome"] == "no-change"
