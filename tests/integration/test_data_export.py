"""GET /me/export (SPEC §15, CNDP right of access): a user with data of every kind, field by field.

The world: a client with four bookings (one COMPLETED and reviewed and reported, one CONFIRMED,
one cancelled late — a penalty —, one auto-cancelled with a second pro), delivered
notifications (one read), a device, preferences, a consent record; the first pro with a
subscription and a boost. Another person's phone shows only on the CONFIRMED booking.
"""

from __future__ import annotations

import json
import re

import pytest
from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from khadamat.dal import notifications as notification_store
from khadamat.dal import payments as payment_store
from khadamat.dal.base import BaseItem
from khadamat.dal.users import UserItem, user_key
from infra.local.stream_pump import written_messages
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import (act, at, book, make_pro, set_clock, signup_and_login,
                                               table_items, user_item)
from tests.integration.test_notification_delivery import deliver

pytestmark = pytest.mark.usefixtures("aws")


def e164(national: str) -> str:
    return "+212" + national[1:]


class ConsentRecord(BaseItem):
    """A consent record in the key shape agreed with the signup (HELPERS.md), written here as
    signup will write it."""

    kind = UnicodeAttribute()
    granted = BooleanAttribute()
    terms_version = UnicodeAttribute()
    source_ip = UnicodeAttribute()
    source = UnicodeAttribute()
    recorded_at = UnicodeAttribute()


@pytest.fixture
def full(api):
    set_clock(api)
    client, pro, other_pro = signup_and_login(api, "CLIENT"), make_pro(api), make_pro(api)
    ids = {}
    ids["auto"] = book(api, client, other_pro, slot=at(4)).body["id"]
    ids["completed"] = book(api, client, pro, slot=at(4)).body["id"]
    assert act(api, pro, ids["completed"], "confirm").status == 200  # auto-cancels "auto"
    ids["confirmed"] = book(api, client, pro, slot=at(30)).body["id"]
    assert act(api, pro, ids["confirmed"], "confirm").status == 200
    ids["late"] = book(api, client, pro, slot=at(10)).body["id"]
    assert act(api, pro, ids["late"], "confirm").status == 200
    set_clock(api, at(5), client, pro, other_pro)
    assert act(api, pro, ids["completed"], "complete").status == 200
    assert act(api, client, ids["completed"], "review", {"rating": 4, "comment": "Très bien"}).status == 201
    assert act(api, client, ids["late"], "cancel", {"reason": "empêchement"}).status == 200
    assert api.post(f"/bookings/{ids['completed']}/reports",
                    {"title": "Fuite", "details": "Reprise nécessaire"}, token=client.token).status == 201
    deliver(*written_messages(TEMPLATE))
    first = api.get("/me/notifications", token=client.token).body["items"][0]["id"]
    assert api.post(f"/me/notifications/{first}/read", token=client.token).status == 204
    assert api.post("/me/devices", {"platform": "IOS", "token": "device-export-0001"},
                    token=client.token).status == 201
    assert api.put("/me/preferences", {"whatsapp": True, "push": True, "sms": False},
                   token=client.token).status == 200
    ConsentRecord(f"USER#{client.id}", "CONSENT#2026-12-01T08:00:00.000000Z#TERMS", kind="TERMS",
                  granted=True, terms_version="2026-11", source_ip="198.51.100.7", source="SIGNUP",
                  recorded_at="2026-12-01T08:00:00.000000Z").save()
    payment_store.SubscriptionItem(f"USER#{pro.id}", "SUBSCRIPTION#sub_export", subscription_id="sub_export",
                                   pro_id=pro.id, plan="PREMIUM_MONTHLY_NO_COMMIT", status="ACTIVE",
                                   started_at="2026-11-01T00:00:00.000000Z",
                                   current_period_end="2026-12-31T00:00:00.000000Z").save()
    UserItem(*user_key(pro.id)).update(actions=[UserItem.boosts.set([
        {"categoryId": "plomberie", "startsAt": "2026-11-30T00:00:00.000000Z",
         "endsAt": "2026-12-07T00:00:00.000000Z"}])])
    return {"client": client, "pro": pro, "other_pro": other_pro, "ids": ids}


def _export(api, person) -> dict:
    reply = api.get("/me/export", token=person.token)
    assert reply.status == 200, reply.body
    return reply.body


def test_the_clients_export_holds_every_kind_of_their_data(api, full):
    client, pro, ids = full["client"], full["pro"], full["ids"]
    doc = _export(api, client)
    me = api.get("/me", token=client.token).body
    # account: GET /me's fields and the rest of the account
    assert {k: doc["account"][k] for k in me} == me
    assert doc["account"]["phone"] == e164(client.phone)
    assert doc["account"]["createdAt"].endswith("+00:00")
    assert doc["preferences"] == {"whatsapp": True, "push": True, "sms": False}
    # (signup records its own consents too once it does: the one written here is among them)
    assert {"kind": "TERMS", "granted": True, "termsVersion": "2026-11", "sourceIp": "198.51.100.7",
            "source": "SIGNUP", "recordedAt": "2026-12-01T08:00:00+00:00"} in doc["consents"]
    assert all({"kind", "granted", "termsVersion", "recordedAt"} <= set(c) for c in doc["consents"])
    assert doc["devices"] == [{"platform": "IOS", "token": "device-export-0001",
                               "createdAt": doc["devices"][0]["createdAt"]}]
    assert len(doc["sessions"]) >= 1 and set(doc["sessions"][0]) == {"expiresAt"}
    # bookings: all four, each with its events, as GET /bookings/{id} shows them
    by_id = {b["id"]: b for b in doc["bookings"]}
    assert set(by_id) == set(ids.values())
    assert by_id[ids["completed"]]["status"] == "COMPLETED"
    assert [e["type"] for e in by_id[ids["completed"]]["events"]] == ["CREATED", "CONFIRMED", "COMPLETED"]
    assert by_id[ids["late"]]["status"] == "CANCELLED_BY_CLIENT_LATE"
    assert by_id[ids["auto"]]["status"] == "CANCELLED_AUTO_FIRST_CONFIRMED"
    for booking_id in ids.values():
        shown = api.get(f"/bookings/{booking_id}", token=client.token).body
        assert {k: by_id[booking_id][k] for k in shown} == shown
        events = api.get(f"/bookings/{booking_id}/events", token=client.token).body["items"]
        assert by_id[booking_id]["events"] == events
    # Privacy Shield: the pro's phone on the CONFIRMED booking only; the other pro's nowhere
    assert by_id[ids["confirmed"]]["pro"]["phone"] == e164(pro.phone)
    assert by_id[ids["completed"]]["pro"]["phone"] is None
    assert by_id[ids["auto"]]["pro"]["phone"] is None
    text = json.dumps(doc)
    assert e164(full["other_pro"].phone) not in text and full["other_pro"].phone not in text
    # reviews, reports, penalties, notifications
    assert doc["reviewsGiven"] == [{"bookingId": ids["completed"], "rating": 4, "comment": "Très bien",
                                    "createdAt": doc["reviewsGiven"][0]["createdAt"]}]
    assert doc["reviewsReceived"] == []
    assert [(r["bookingId"], r["title"], r["details"]) for r in doc["reportsFiled"]] == [
        (ids["completed"], "Fuite", "Reprise nécessaire")]
    assert [(p["type"], p["bookingId"]) for p in doc["penalties"]] == [("CLIENT_CANCEL_LATE", ids["late"])]
    inbox = api.get("/me/notifications?limit=50", token=client.token).body["items"]
    assert doc["notifications"] == inbox and len(inbox) >= 2
    assert sum(1 for n in doc["notifications"] if n["readAt"]) == 1
    assert doc["subscription"] == {"premiumUntil": None, "premiumPlan": None, "subscriptions": [],
                                   "everSubscribed": False, "boosts": []}


def test_the_export_never_holds_a_secret(api, full):
    client = full["client"]
    text = json.dumps(_export(api, client))
    secrets = [user_item(client.id).password_hash,
               *(item["SK"].split("#", 1)[1] for item in table_items(f"USER#{client.id}")
                 if item["SK"].startswith("REFRESH#"))]
    assert secrets[0] and all(secret not in text for secret in secrets)
    assert "$argon2" not in text
    assert not re.search(r"[0-9a-f]{64}", text)  # no SHA-256 (token hashes) of any kind


def test_the_pros_export_holds_reviews_received_subscription_and_boosts(api, full):
    client, pro, ids = full["client"], full["pro"], full["ids"]
    doc = _export(api, pro)
    assert {b["id"] for b in doc["bookings"]} == {ids["completed"], ids["confirmed"], ids["late"]}
    assert [(r["bookingId"], r["rating"]) for r in doc["reviewsReceived"]] == [(ids["completed"], 4)]
    assert doc["reviewsGiven"] == []
    by_id = {b["id"]: b for b in doc["bookings"]}
    assert by_id[ids["confirmed"]]["client"]["phone"] == e164(client.phone)
    assert by_id[ids["late"]]["client"]["phone"] is None
    assert doc["account"]["kyc"]["status"] == "NOT_SUBMITTED"
    assert doc["account"]["services"][0]["categoryId"] == "plomberie"
    assert doc["subscription"]["subscriptions"] == [{
        "id": "sub_export", "plan": "PREMIUM_MONTHLY_NO_COMMIT", "status": "ACTIVE",
        "startedAt": "2026-11-01T00:00:00+00:00", "currentPeriodEnd": "2026-12-31T00:00:00+00:00",
        "commitmentEndsAt": None, "endedAt": None}]
    assert doc["subscription"]["boosts"] == [{"categoryId": "plomberie",
                                              "startsAt": "2026-11-30T00:00:00+00:00",
                                              "endsAt": "2026-12-07T00:00:00+00:00"}]
    assert doc["preferences"] == {"whatsapp": True, "push": True, "sms": True}


def test_the_other_pro_sees_the_cancelled_booking_without_the_clients_phone(api, full):
    doc = _export(api, full["other_pro"])
    assert [b["id"] for b in doc["bookings"]] == [full["ids"]["auto"]]
    text = json.dumps(doc)
    assert e164(full["client"].phone) not in text and full["client"].phone not in text
