"""Races over HTTP on money and reputation: one review per booking, one effect per Stripe event.

Same shape as tests/e2e/test_races.py: contenders released at once by ``race``, repeated
rounds, the replies checked, then the store itself (``assert_store_consistent``: the
review/rating and payment invariants of tests/e2e/invariants.py included).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime

import requests

from khadamat.adapters import payments as stripe_adapter
from khadamat.domain.timeutil import to_storage
from tests.e2e.flows import log_in, offer, open_every_day, reset_clock, set_clock, sign_up
from tests.e2e.invariants import assert_store_consistent, race

ROUNDS = 3
REVIEWERS = 4  # the same client posting at once, each with another rating
DELIVERIES = 3  # copies of each signed event delivered at once
BOOKED_AT = "2032-03-01T07:00:00Z"
SLOTS = [f"2032-03-02T{9 + n:02d}:00:00Z" for n in range(ROUNDS)]
AFTER_THE_SLOTS = "2032-03-02T14:00:00Z"


def _post(url: str, headers: dict, body=None, data=None):
    return lambda: requests.post(url, json=body, data=data, headers=headers, timeout=60)


def _completed_bookings(stack, http) -> tuple[dict, dict, str, list[str]]:
    """A client, a pro (its id) and ROUNDS COMPLETED bookings between them (dev clock moved)."""
    client_id, client = sign_up(stack, http, "CLIENT")
    pro_id, pro = sign_up(stack, http, "PRO", "casablanca")
    offer(stack, http, pro, "plomberie")
    open_every_day(stack, http, pro)
    ids = []
    for time_slot in SLOTS:
        created = http.post(f"{stack}/bookings", headers=client, timeout=10,
                            json={"proId": pro_id, "categoryId": "plomberie", "timeSlot": time_slot})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        confirmed = http.post(f"{stack}/bookings/{ids[-1]}/confirm", headers=pro, timeout=10)
        assert confirmed.status_code == 200, confirmed.text
    logins = [http.get(f"{stack}/me", headers=h, timeout=10).json()["email"] for h in (client, pro)]
    set_clock(stack, http, AFTER_THE_SLOTS)  # tokens of 07:00 have expired: log in again
    client, pro = (log_in(stack, http, login) for login in logins)
    for booking_id in ids:
        completed = http.post(f"{stack}/bookings/{booking_id}/complete", headers=pro, timeout=10)
        assert completed.status_code == 200, completed.text
    return client, pro, pro_id, ids


def test_a_review_posted_several_times_at_once_is_recorded_once(stack, http, store):
    try:
        set_clock(stack, http, BOOKED_AT)
        client, _, pro_id, booking_ids = _completed_bookings(stack, http)
        winners = []
        for round_number, booking_id in enumerate(booking_ids):
            # Given a COMPLETED booking, when its client posts REVIEWERS reviews at once
            url = f"{stack}/bookings/{booking_id}/review"
            replies = race([_post(url, client, {"rating": 2 + n, "comment": f"avis {n}"})
                            for n in range(REVIEWERS)])
            # Then exactly one is created and every other gets 409 ALREADY_REVIEWED, no 5xx
            statuses = Counter(reply.status_code for reply in replies)
            assert statuses == {201: 1, 409: REVIEWERS - 1}, (round_number, [r.text for r in replies])
            assert {r.json()["error"]["code"] for r in replies if r.status_code == 409} \
                == {"ALREADY_REVIEWED"}
            winners += [r.json()["rating"] for r in replies if r.status_code == 201]
            # And the store holds one review, with the winner's rating
            review = store.item(f"BOOKING#{booking_id}", "REVIEW")
            assert review is not None and int(review["rating"]) == winners[-1]
            # And the pro's aggregate counts it once
            profile = store.item(f"USER#{pro_id}", "PROFILE")
            assert (int(profile["rating_count"]), int(profile["rating_sum"])) == (len(winners), sum(winners))
    finally:
        reset_clock(stack, http)
    assert_store_consistent(store)


# ---------------------------------------------------------------- Stripe webhook
def _verified_pro(stack, http) -> tuple[str, dict]:
    pro_id, headers = sign_up(stack, http, "PRO", "rabat-sale")
    state = http.post(f"{stack}/_dev/pros/{pro_id}/state", timeout=10,
                      json={"kycStatus": "APPROVED", "categoryIds": ["electricite"]})
    assert state.status_code == 200, state.text
    return pro_id, headers


def _completion_events(stack, http, store, path: str, body: dict, headers: dict):
    """Start a checkout; the events the local Stripe stand-in would send when it is paid."""
    started = http.post(f"{stack}{path}", json=body, headers=headers, timeout=10)
    assert started.status_code == 201, started.text
    session_id = started.json()["sessionId"]
    params = store.item(f"DEV#STRIPE#{session_id}", "SESSION")["params"]
    return session_id, stripe_adapter.completion_events_of(session_id, json.loads(params),
                                                           datetime.now(UTC))


def _cancel_scheduled(invoice_paid: dict) -> dict:
    """The customer.subscription.updated Stripe sends when the pro schedules a cancel."""
    details = invoice_paid["data"]["object"]["parent"]["subscription_details"]
    subscription = {"id": details["subscription"], "object": "subscription", "status": "active",
                    "cancel_at_period_end": True, "metadata": details["metadata"]}
    return {"id": f"{invoice_paid['id']}_updated", "object": "event",
            "type": "customer.subscription.updated", "created": invoice_paid["created"],
            "data": {"object": subscription}}


def _signed(events: list[dict]) -> list[tuple[dict, str, str]]:
    secret = stripe_adapter.webhook_secret()
    payloads = [json.dumps(event) for event in events]
    return [(event, payload, stripe_adapter.sign_payload(payload, secret))
            for event, payload in zip(events, payloads)]


def _deliver_all_at_once(stack, signed) -> dict[str, Counter]:
    """Every signed event DELIVERIES times, all released together: outcomes per event id."""
    calls, ids = [], []
    for event, payload, signature in signed:
        headers = {"content-type": "application/json", "stripe-signature": signature}
        calls += [_post(f"{stack}/webhooks/stripe", headers, data=payload)] * DELIVERIES
        ids += [event["id"]] * DELIVERIES
    replies = race(calls)
    assert {reply.status_code for reply in replies} == {200}, [r.text for r in replies]
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for event_id, reply in zip(ids, replies):
        outcomes[event_id][reply.json()["outcome"]] += 1
    return outcomes


def test_premium_events_delivered_several_times_at_once_apply_once(stack, http, store):
    for round_number in range(ROUNDS):
        # Given a pro's Premium checkout, the two events of its payment, and a cancel scheduled
        # at once on Stripe (same second): three different events on one subscription, signed
        pro_id, headers = _verified_pro(stack, http)
        session_id, events = _completion_events(
            stack, http, store, "/pro/subscription/checkout", {"plan": "PREMIUM_MONTHLY_NO_COMMIT"},
            headers)
        [invoice] = [event for event in events if event["type"] == "invoice.paid"]
        signed = _signed([*events, _cancel_scheduled(invoice)])
        # When each arrives DELIVERIES times, all at once
        outcomes = _deliver_all_at_once(stack, signed)
        # Then each event is applied exactly once, every copy is a duplicate
        assert len(outcomes) == 3 and all(counts == {"applied": 1, "duplicate": DELIVERIES - 1}
                                          for counts in outcomes.values()), (round_number, outcomes)
        # And the store holds one subscription, CANCELING whatever the order, Premium to the
        # invoice's period end
        period_end = invoice["data"]["object"]["lines"]["data"][0]["period"]["end"]
        subscription_id = invoice["data"]["object"]["parent"]["subscription_details"]["subscription"]
        assert [item["SK"] for item in store.items() if item["PK"] == f"USER#{pro_id}"
                and item["SK"].startswith("SUBSCRIPTION#")] == [f"SUBSCRIPTION#{subscription_id}"]
        subscription = store.item(f"USER#{pro_id}", f"SUBSCRIPTION#{subscription_id}")
        assert subscription["status"] == "CANCELING"
        until = to_storage(datetime.fromtimestamp(period_end, UTC))
        assert subscription["current_period_end"] == until
        assert store.item(f"USER#{pro_id}", "PROFILE")["premium_until"] == until
        assert store.item(f"CHECKOUT#{session_id}", "SESSION")["status"] == "COMPLETED"
        assert store.item(f"USER#{pro_id}", "EVER_SUBSCRIBED") is not None
        assert all(store.item(f"STRIPE_EVENT#{event['id']}", "EVENT") for event, _, _ in signed)
    assert_store_consistent(store)


def test_a_boost_payment_delivered_several_times_at_once_grants_one_boost(stack, http, store):
    for round_number in range(ROUNDS):
        # Given a pro's Boost checkout and its signed checkout.session.completed
        pro_id, headers = _verified_pro(stack, http)
        session_id, events = _completion_events(
            stack, http, store, "/pro/boosts/checkout", {"categoryId": "electricite"}, headers)
        signed = _signed(events)
        # When it arrives DELIVERIES times at once
        outcomes = _deliver_all_at_once(stack, signed)
        # Then one delivery applies it and the pro has exactly one Boost (not one per copy)
        assert list(outcomes.values()) == [{"applied": 1, "duplicate": DELIVERIES - 1}], outcomes
        boosts = store.item(f"USER#{pro_id}", "PROFILE")["boosts"]
        assert [boost["categoryId"] for boost in boosts] == ["electricite"], round_number
        assert store.item(f"CHECKOUT#{session_id}", "SESSION")["status"] == "COMPLETED"
    assert_store_consistent(store)
