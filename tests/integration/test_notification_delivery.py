"""Notification delivery (SPEC §13) and the inbox/devices endpoints, in-process under moto.

Outbox items are written directly (as the booking transitions do in their transactions)
and fed to the real DeliverNotificationsFunction as the DynamoDB stream would.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import UTC, datetime

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from infra.local.lambda_runtime import invoke
from infra.local.stream_pump import StreamPump, stream_event
from khadamat import security
from khadamat.adapters import whatsapp
from khadamat.dal import dev, notifications as store, users
from khadamat.dal.base import BaseItem
from khadamat.dal.outbox import new_outbox_item
from khadamat.domain.delivery import push_unit
from khadamat.domain.timeutil import to_storage
from tests.conftest import TEMPLATE

DELIVER = TEMPLATE.function("DeliverNotificationsFunction")
ACCOUNT_SID = "AC" + "1" * 32
SENDER = "+14155238886"


# ---------------------------------------------------------------- helpers
def make_user(role="PRO", phone="+212612345678", whatsapp_number: str | None = "+212712345678",
              status="ACTIVE", verified=True) -> users.UserItem:
    user_id = str(uuid.uuid4())
    user = users.UserItem(*users.user_key(user_id), user_id=user_id, role=role, status=status,
                          phone=phone, phone_verified=verified, first_name="Youssef", last_name="Benali",
                          whatsapp=whatsapp_number, created_at=to_storage(datetime.now(UTC)))
    user.save()
    return user


def token_for(user: users.UserItem) -> str:
    return security.issue_access_token(user.user_id, user.role, datetime.now(UTC))


def outbox(user: users.UserItem, channels=("WHATSAPP", "PUSH", "INBOX"), created_at=None,
           title="Nouvelle demande", body="Plomberie, lundi 7 décembre à 10:00.",
           variables=("{name}", "Plomberie", "07/12/2026 à 10h00")):
    item = new_outbox_item(type="BOOKING_REQUESTED", recipient_id=user.user_id,
                           recipient_role=user.role, channels=list(channels),
                           booking_id="b-1", title=title, body=body,
                           created_at=created_at or to_storage(datetime.now(UTC)),
                           variables=list(variables))
    item.save()
    return item


def deliver(*items) -> dict:
    return invoke(DELIVER, stream_event(items)) or {}


def sent(channel: str) -> list[dict]:
    return [m for m in dev.list_sent() if m["channel"] == channel]


class FakeTwilioHttp(HttpClient):
    """Twilio's HTTP boundary: answers from a script of statuses, records every request."""

    def __init__(self, statuses: list[int]):
        super().__init__(logging.getLogger("fake-twilio"), False)
        self.statuses = list(statuses)
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth,
                              "headers": headers})
        status = self.statuses.pop(0) if self.statuses else 201
        if status >= 400:
            return Response(status, json.dumps({"code": 20500, "message": "Service unavailable",
                                                "status": status}))
        return Response(status, json.dumps({"sid": f"SM{len(self.requests):032d}",
                                            "status": "queued"}))


@pytest.fixture
def twilio_http(aws, monkeypatch):
    """The real Twilio adapter, with the SDK's HTTP client replaced by the fake."""
    fake = FakeTwilioHttp([])
    monkeypatch.setattr(whatsapp, "sender", lambda: whatsapp.TwilioWhatsApp(
        ACCOUNT_SID, "auth-token", SENDER, http_client=fake))
    return fake


# ---------------------------------------------------------------- adapter
def test_twilio_adapter_builds_the_messaging_api_request(twilio_http):
    # Given the Twilio adapter over the SDK's HTTP client boundary
    adapter = whatsapp.sender()
    # When it sends a WhatsApp message
    sid = adapter.send(to_e164="+212612345678", body="*Titre*\nCorps", message_id="m-1",
                       now=datetime.now(UTC))
    # Then exactly one Messaging API request went out, with whatsapp: addresses
    assert len(twilio_http.requests) == 1
    request = twilio_http.requests[0]
    assert request["method"] == "POST"
    assert request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["data"] == {"To": "whatsapp:+212612345678", "From": f"whatsapp:{SENDER}",
                               "Body": "*Titre*\nCorps"}
    assert request["auth"] == (ACCOUNT_SID, "auth-token")
    assert sid.startswith("SM")


# ---------------------------------------------------------------- delivery
def test_message_goes_to_whatsapp_push_and_inbox_once_each(api):
    # Given a pro with a WhatsApp number and one device, and an outbox message for them
    pro = make_user()
    store.register_device(pro.user_id, "fcm-token-0001", "ANDROID", datetime.now(UTC))
    item = outbox(pro)
    # When the stream delivers it
    assert deliver(item) == {"batchItemFailures": []}
    # Then WhatsApp went to the verified phone (SPEC §16) as the new-request template, push to
    # the device, and the inbox has it
    [message] = sent("WHATSAPP")
    assert message["to"] == "+212612345678"
    assert message["template"] == "khadamat_booking_requested"
    assert [message["variables"][n] for n in "123"] == ["Un client", "Plomberie", "07/12/2026 à 10h00"]
    [pushed] = sent("PUSH")
    assert pushed["token"] == "fcm-token-0001" and pushed["title"] == "Nouvelle demande"
    inbox = api.get("/me/notifications", token=token_for(pro)).body["items"]
    assert [n["id"] for n in inbox] == [item.message_id]
    # and the message has left the pending index
    assert store.messages_to_retry() == []


def test_redelivered_stream_record_sends_nothing_twice(api):
    # Given a message already delivered
    client = make_user(role="CLIENT", whatsapp_number=None)
    item = outbox(client)
    deliver(item)
    # When the same stream record arrives again (at-least-once stream)
    assert deliver(item) == {"batchItemFailures": []}
    # Then no second WhatsApp, no second inbox item; WhatsApp went to the phone
    assert [m["to"] for m in sent("WHATSAPP")] == ["+212612345678"]
    assert len(api.get("/me/notifications", token=token_for(client)).body["items"]) == 1


def test_twilio_failing_twice_then_succeeding_delivers_one_message(api, twilio_http):
    # Given Twilio answers 503 twice, then accepts; and a booking item the transition wrote
    twilio_http.statuses = [503, 503]
    booking = BaseItem("BOOKING#b-1", "BOOKING")
    booking.save()
    before = booking.get("BOOKING#b-1", "BOOKING").attribute_values
    pro = make_user()
    item = outbox(pro)
    # When the stream retries the record after each failure
    outcomes = [deliver(item) for _ in range(3)]
    # Then the first two attempts report the record as failed, the third succeeds
    failed = [o["batchItemFailures"] for o in outcomes]
    assert [len(f) for f in failed] == [1, 1, 0]
    # and Twilio accepted exactly one message (three requests, two refused)
    assert len(twilio_http.requests) == 3
    # and the inbox item was written once, not re-sent on the retries
    assert len(api.get("/me/notifications", token=token_for(pro)).body["items"]) == 1
    assert store.unit_state(store.ref_of(item), "WHATSAPP") == store.SENT
    # and a further redelivery sends nothing
    deliver(item)
    assert len(twilio_http.requests) == 3
    # and the booking is untouched
    assert BaseItem.get("BOOKING#b-1", "BOOKING").attribute_values == before


def test_a_failing_channel_does_not_resend_the_others(aws, twilio_http):
    # Given Twilio is down and the pro has a device
    twilio_http.statuses = [503]
    pro = make_user()
    store.register_device(pro.user_id, "fcm-token-0002", "IOS", datetime.now(UTC))
    item = outbox(pro)
    # When delivered twice (a failure, then the retry)
    deliver(item)
    deliver(item)
    # Then push went out once, WhatsApp once (on the retry)
    assert len(sent("PUSH")) == 1
    assert len(twilio_http.requests) == 2
    assert store.unit_state(store.ref_of(item), "WHATSAPP") == store.SENT


def test_failure_keeps_the_message_pending_for_the_redelivery_job(aws, twilio_http):
    # Given a message whose WhatsApp failed on the stream
    twilio_http.statuses = [503]
    pro = make_user()
    item = outbox(pro, channels=("WHATSAPP",), created_at="2026-01-01T10:00:00.000000Z")
    assert deliver(item)["batchItemFailures"]
    assert [m.message_id for m in store.messages_to_retry()] == [item.message_id]
    # When the redelivery job runs (the message is old enough)
    from khadamat.usecases.notifications import redeliver_stuck
    summary = redeliver_stuck(datetime(2026, 1, 1, 10, 30, tzinfo=UTC))
    # Then it is sent and leaves the index
    assert summary == {"redelivered": 1, "failed": 0, "gaveUp": 0}
    assert store.messages_to_retry() == []
    assert len(twilio_http.requests) == 2


def test_redelivery_job_gives_up_after_a_day_and_keeps_it_visible(aws, twilio_http):
    twilio_http.statuses = [503] * 5
    pro = make_user()
    item = outbox(pro, channels=("WHATSAPP",), created_at="2026-01-01T10:00:00.000000Z")
    assert deliver(item)["batchItemFailures"]  # the stream's attempt failed: in NOTIF_RETRY
    from khadamat.usecases.notifications import redeliver_stuck
    summary = redeliver_stuck(datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    assert summary == {"redelivered": 0, "failed": 0, "gaveUp": 1}
    assert store.messages_to_retry() == []
    assert store.get_message(store.ref_of(item)).GSI3PK == store.FAILED_PK


def test_deleted_recipient_is_skipped_without_a_write(aws):
    gone = make_user(status="DELETED")
    item = outbox(gone)
    assert deliver(item) == {"batchItemFailures": []}
    assert sent("WHATSAPP") == [] and sent("PUSH") == []
    assert store.unit_state(store.ref_of(item), "WHATSAPP") is None  # nothing claimed, nothing owed
    assert store.messages_to_retry() == []


def test_live_claim_of_another_attempt_is_not_sent_again(aws, twilio_http):
    # Given another attempt claimed WhatsApp a moment ago and is still sending
    pro = make_user()
    item = outbox(pro, channels=("WHATSAPP",))
    now = datetime.now(UTC)
    assert store.claim(store.ref_of(item), "WHATSAPP", "other", now, now.replace(year=now.year + 1))
    # When the record is delivered meanwhile
    outcome = deliver(item)
    # Then nothing is sent and the record is retried later
    assert twilio_http.requests == [] and len(outcome["batchItemFailures"]) == 1


def test_local_pump_delivers_pending_messages_through_the_handler(aws):
    # Given an outbox message just written
    client = make_user(role="CLIENT")
    outbox(client, channels=("WHATSAPP", "INBOX"))
    # When the local pump runs one round
    assert StreamPump(TEMPLATE).pump_once() == 1
    # Then it was delivered and nothing is left to pump
    assert len(sent("WHATSAPP")) == 1
    assert StreamPump(TEMPLATE).pump_once() == 0


# ---------------------------------------------------------------- inbox endpoints
def test_inbox_is_newest_first_paged_and_only_the_owners(api):
    owner, other = make_user(role="CLIENT"), make_user(role="CLIENT", phone="+212611111111")
    items = [outbox(owner, channels=("INBOX",), created_at=f"2026-12-0{day}T10:00:00.000000Z")
             for day in (1, 2, 3)]
    outbox(other, channels=("INBOX",))
    deliver(*items)
    token = token_for(owner)
    first = api.get("/me/notifications?limit=2", token=token)
    assert first.status == 200
    assert [n["id"] for n in first.body["items"]] == [items[2].message_id, items[1].message_id]
    assert first.body["items"][0]["createdAt"] == "2026-12-03T10:00:00+00:00"
    assert first.body["items"][0]["bookingId"] == "b-1" and first.body["items"][0]["readAt"] is None
    second = api.get(f"/me/notifications?limit=2&nextToken={first.body['nextToken']}", token=token)
    assert [n["id"] for n in second.body["items"]] == [items[0].message_id]
    assert second.body["nextToken"] is None
    # Another user's token cannot read the owner's pages
    assert api.get(f"/me/notifications?nextToken={first.body['nextToken']}",
                   token=token_for(other)).status == 400


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "limit=abc"])
def test_bad_paging_parameters_are_422(api, query):
    user = make_user(role="CLIENT")
    reply = api.get(f"/me/notifications?{query}", token=token_for(user))
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"


def test_mark_read_is_owner_only(api):
    owner, other = make_user(role="CLIENT"), make_user(role="PRO", phone="+212622222222")
    item = outbox(owner, channels=("INBOX",))
    deliver(item)
    path = f"/me/notifications/{item.message_id}/read"
    assert api.post(path, token=token_for(other)).status == 404
    assert api.post("/me/notifications/nope/read", token=token_for(owner)).status == 404
    assert api.post(path, token=token_for(owner)).status == 204
    [notification] = api.get("/me/notifications", token=token_for(owner)).body["items"]
    assert notification["readAt"] is not None
    assert api.get("/me/notifications", token=token_for(other)).body["items"] == []


def test_inbox_needs_a_token(api):
    assert api.get("/me/notifications").status == 401


# ---------------------------------------------------------------- devices
def test_register_and_remove_a_device(api):
    user = make_user(role="CLIENT")
    token = token_for(user)
    reply = api.post("/me/devices", {"platform": "IOS", "token": "apns-token-123"}, token=token)
    assert reply.status == 201 and reply.body == {"token": "apns-token-123", "platform": "IOS"}
    assert [d.token for d in store.user_devices(user.user_id)] == ["apns-token-123"]
    assert api.delete("/me/devices/apns-token-123", token=token).status == 204
    assert store.user_devices(user.user_id) == []
    assert api.delete("/me/devices/apns-token-123", token=token).status == 404


def test_a_token_moving_to_another_user_leaves_the_first(api):
    first, second = make_user(role="CLIENT"), make_user(role="CLIENT", phone="+212633333333")
    body = {"platform": "ANDROID", "token": "shared-phone-token"}
    assert api.post("/me/devices", body, token=token_for(first)).status == 201
    assert api.post("/me/devices", body, token=token_for(second)).status == 201
    assert store.user_devices(first.user_id) == []
    assert [d.user_id for d in store.user_devices(second.user_id)] == [second.user_id]
    # the first user can no longer remove what is now someone else's
    assert api.delete("/me/devices/shared-phone-token", token=token_for(first)).status == 404


@pytest.mark.parametrize("body", [{"platform": "BLACKBERRY", "token": "abcdefgh1"},
                                  {"platform": "IOS", "token": "short"},
                                  {"platform": "IOS", "token": "has spaces in it"},
                                  {"platform": "IOS", "token": "x" * 513}, {"platform": "IOS"}])
def test_bad_device_bodies_are_422(api, body):
    user = make_user(role="CLIENT")
    reply = api.post("/me/devices", body, token=token_for(user))
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"


# ---------------------------------------------------------------- push over SNS (moto)
@pytest.fixture
def sns_push(aws, monkeypatch):
    import boto3

    from khadamat.adapters import push

    sns = boto3.client("sns", region_name="eu-west-3")
    arn = sns.create_platform_application(Name="khadamat-fcm", Platform="GCM",
                                          Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
    monkeypatch.setenv("PUSH_PLATFORM_ARN_FCM", arn)
    monkeypatch.setenv("PUSH_PLATFORM_ARN_IOS", "")
    push._sns.cache_clear()
    monkeypatch.setattr(push, "sender", push.SnsPush)
    yield sns
    push._sns.cache_clear()


def test_sns_push_reaches_the_fcm_device_and_skips_an_unconfigured_platform(sns_push):
    # Given an ANDROID device (FCM configured) and an IOS device (APNs not configured)
    client = make_user(role="CLIENT")
    store.register_device(client.user_id, "fcm-token-android", "ANDROID", datetime.now(UTC))
    store.register_device(client.user_id, "apns-token-ios-1", "IOS", datetime.now(UTC))
    item = outbox(client, channels=("PUSH",))
    # When delivered
    assert deliver(item) == {"batchItemFailures": []}
    # Then SNS has an endpoint for the Android token, and iOS is recorded as skipped
    endpoints = sns_push.list_endpoints_by_platform_application(
        PlatformApplicationArn=os.environ["PUSH_PLATFORM_ARN_FCM"])["Endpoints"]
    assert [e["Attributes"]["Token"] for e in endpoints] == ["fcm-token-android"]
    assert store.unit_state(store.ref_of(item), push_unit("fcm-token-android")) == store.SENT
    assert store.unit_state(store.ref_of(item), push_unit("apns-token-ios-1")) == store.SKIPPED


def test_sns_message_carries_title_and_body_for_apns_and_fcm():
    from khadamat.adapters.push import sns_message

    payload = json.loads(sns_message("Titre", "Corps", {"bookingId": "b-1"}))
    assert json.loads(payload["APNS"])["aps"]["alert"] == {"title": "Titre", "body": "Corps"}
    fcm = json.loads(payload["GCM"])["fcmV1Message"]["message"]
    assert fcm["notification"] == {"title": "Titre", "body": "Corps"}
    assert fcm["data"] == {"bookingId": "b-1"}


def test_a_dead_device_token_is_forgotten_and_not_retried(sns_push):
    # Given a device whose SNS endpoint was disabled (the app was uninstalled)
    client = make_user(role="CLIENT")
    store.register_device(client.user_id, "fcm-token-dead", "WEB", datetime.now(UTC))
    arn = os.environ["PUSH_PLATFORM_ARN_FCM"]
    endpoint = sns_push.create_platform_endpoint(PlatformApplicationArn=arn,
                                                 Token="fcm-token-dead")["EndpointArn"]
    sns_push.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    item = outbox(client, channels=("PUSH",))
    # When delivered
    assert deliver(item) == {"batchItemFailures": []}
    # Then the push is recorded as skipped and the device is gone
    assert store.unit_state(store.ref_of(item), push_unit("fcm-token-dead")) == store.SKIPPED
    assert store.user_devices(client.user_id) == []


def test_local_pump_backs_off_a_failing_message_without_blocking_new_ones(aws, twilio_http):
    # Given Twilio refuses the first message
    twilio_http.statuses = [503]
    pro = make_user()
    failing = outbox(pro, channels=("WHATSAPP",), created_at="2026-01-01T10:00:00.000000Z")
    pump = StreamPump(TEMPLATE, backoff_s=3600)
    assert pump.pump_once() == 1
    # When a new message arrives while the first one waits for its backoff
    fresh = outbox(pro, channels=("WHATSAPP",))
    # Then the next round delivers the new one only
    assert pump.pump_once() == 1
    assert [m.message_id for m in store.messages_to_retry()] == [failing.message_id]
    assert pump.attempts == {failing.message_id: 1}
    assert store.unit_state(store.ref_of(fresh), "WHATSAPP") == store.SENT
