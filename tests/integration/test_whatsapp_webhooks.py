"""WhatsApp both ways (SPEC §16), in-process under moto: templates with signed quick replies,
the inbound webhook acting through the API's confirm/decline, STOP/START, status callbacks and
the SMS fallback, through the local Twilio stand-in (signed like Twilio, verified by the
production code)."""

from __future__ import annotations

import pytest

from infra.bench.counting import counting
from infra.local.lambda_runtime import invoke
from infra.local.stream_pump import stream_event, written_messages
from khadamat.adapters import whatsapp
from khadamat.dal import dev, users
from khadamat.dal import notifications as notification_store
from khadamat.dal.users import UserItem, consents_of, user_key
from khadamat.domain import whatsapp_actions as texts
from khadamat.usecases import whatsapp_inbound
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import act, at, book, make_pro, set_clock, signup_and_login, world  # noqa: F401

INBOUND, STATUS = "/webhooks/twilio/whatsapp", "/webhooks/twilio/status"


def e164(phone: str) -> str:
    return "+212" + phone.removeprefix("0")


def deliver_pending() -> None:
    messages = written_messages(TEMPLATE)  # what the table's stream carried (claims make repeats no-ops)
    if messages:
        invoke(TEMPLATE.function("DeliverNotificationsFunction"), stream_event(messages))


def whatsapp_to(phone: str, template: str | None = None) -> list[dict]:
    return [m for m in api_outbox() if m["channel"] == "WHATSAPP" and m["to"] == e164(phone)
            and (template is None or m.get("template") == template)]


def press(api, who, button: str, message_sid: str | None = None, booking_request: dict | None = None):
    """The person taps a quick reply of the new-request message they received."""
    request = booking_request or whatsapp_to(who.phone, "khadamat_booking_requested")[-1]
    [payload] = [b["payload"] for b in request["buttons"] if b["title"] == button]
    body = {"from": e164(who.phone), "body": button, "buttonPayload": payload}
    if message_sid:
        body["messageSid"] = message_sid
    reply = api.post("/_dev/whatsapp/inbound", body)
    assert reply.status == 200, reply.body
    return reply.body


def booking_status(api, who, booking_id: str) -> str:
    return api.get(f"/bookings/{booking_id}", token=who.token).body["status"]


def test_the_new_request_is_a_template_with_signed_confirm_and_refuse_buttons(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    deliver_pending()
    [request] = whatsapp_to(pro.phone)
    assert request["template"] == "khadamat_booking_requested" and request["contentSid"].startswith("HX")
    assert "body" not in request and request["status"] == "queued" and request["messageSid"].startswith("SM")
    assert [b["title"] for b in request["buttons"]] == ["Confirmer", "Refuser"]
    assert all(b["payload"].split(".")[1] == booking_id for b in request["buttons"])
    assert request["variables"]["2"] == "Plomberie" and "\n" not in "".join(request["variables"].values())


def test_confirmer_runs_the_apis_confirm_and_replies_with_the_result(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    deliver_pending()
    answer = press(api, pro, "Confirmer", message_sid="SMconfirm1")
    assert answer["reply"] == texts.CONFIRMED_TEXT and "<Message>" in answer["twiml"]
    assert booking_status(api, client, booking_id) == "CONFIRMED"
    events = api.get(f"/bookings/{booking_id}/events", token=pro.token).body["items"]
    confirmed = [e for e in events if e["type"] == "CONFIRMED"]
    assert confirmed[0]["metadata"]["channel"] == "WHATSAPP" and confirmed[0]["actorRole"] == "PRO"
    # a redelivery of the same MessageSid answers the same and changes nothing (even as « Refuser »)
    again = press(api, pro, "Refuser", message_sid="SMconfirm1")
    assert again["reply"] == texts.CONFIRMED_TEXT
    assert booking_status(api, client, booking_id) == "CONFIRMED"


def test_refuser_declines_with_the_whatsapp_channel(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    deliver_pending()
    assert press(api, pro, "Refuser")["reply"] == texts.DECLINED_TEXT
    assert booking_status(api, client, booking_id) == "DECLINED"
    [declined] = [e for e in api.get(f"/bookings/{booking_id}/events", token=pro.token).body["items"]
                  if e["type"] == "DECLINED"]
    assert declined["metadata"] == {"channel": "WHATSAPP"}


def test_a_stale_request_changes_nothing_and_says_so(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    deliver_pending()
    assert act(api, client, booking_id, "cancel").status == 200
    assert press(api, pro, "Confirmer")["reply"] == texts.NOT_PENDING_TEXT
    assert booking_status(api, client, booking_id) == "CANCELLED_BY_CLIENT"


def test_an_expired_or_taken_slot_answers_no_longer_available(api, world):
    client, pro = world["client"], world["pro"]
    book(api, client, pro)
    deliver_pending()
    set_clock(api, at(13), client, pro)  # past expiresAt (createdAt + 12 h)
    assert press(api, pro, "Confirmer")["reply"] == texts.UNAVAILABLE_TEXT


def test_another_numbers_or_a_forged_payload_changes_nothing(api, world):
    client, pro = world["client"], world["pro"]
    other_pro = make_pro(api)
    booking_id = book(api, client, pro).body["id"]
    deliver_pending()
    request = whatsapp_to(pro.phone, "khadamat_booking_requested")[-1]
    # the other pro (a verified account) sends this pro's payload: help text, nothing changes
    assert press(api, other_pro, "Confirmer", booking_request=request)["reply"] == texts.HELP_TEXT
    # a forged payload from the pro's own number
    forged = api.post("/_dev/whatsapp/inbound", {"from": e164(pro.phone), "body": "Confirmer",
                                                 "buttonPayload": f"C.{booking_id}.{'A' * 32}"}).body
    assert forged["reply"] == texts.HELP_TEXT
    assert booking_status(api, client, booking_id) == "PENDING"


def test_a_number_that_is_no_verified_account_gets_no_reply(api, world):
    unverified = signup_and_login(api, "CLIENT", verified=False)
    for sender in ("+212699999999", e164(unverified.phone)):
        answer = api.post("/_dev/whatsapp/inbound", {"from": sender, "body": "Bonjour"}).body
        assert answer["reply"] is None and "<Message>" not in answer["twiml"]
    # a verified sender with plain text gets the help text
    assert api.post("/_dev/whatsapp/inbound", {"from": e164(world["client"].phone),
                                               "body": "Bonjour"}).body["reply"] == texts.HELP_TEXT


def test_a_bad_or_missing_signature_is_403_without_any_dynamodb_request(api):
    form = "MessageSid=SMx&From=whatsapp%3A%2B212600000001&Body=STOP"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    for extra in ({}, {"x-twilio-signature": "bm90IGEgc2lnbmF0dXJl"}):
        with counting() as tally:
            reply = api.call("POST", INBOUND, raw_body=form, headers={**headers, **extra})
        assert reply.status == 403 and tally.requests == 0
    # the same form signed for another URL (a replay to another endpoint) is refused too
    url = f"{whatsapp.webhook_base_url()}{STATUS}"
    signature = whatsapp_inbound.sign(url, {"MessageSid": "SMx", "From": "whatsapp:+212600000001", "Body": "STOP"})
    assert api.call("POST", INBOUND, raw_body=form, headers={**headers, "x-twilio-signature": signature}).status == 403


def test_a_correctly_signed_post_to_the_real_route_is_answered_with_twiml(api, world):
    client = world["client"]
    form = {"MessageSid": "SMroute1", "From": f"whatsapp:{e164(client.phone)}", "Body": "Salut"}
    from urllib.parse import urlencode

    signature = whatsapp_inbound.sign(f"{whatsapp.webhook_base_url()}{INBOUND}", form)
    reply = api.call("POST", INBOUND, raw_body=urlencode(form),
                     headers={"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature})
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/xml")
    assert texts.HELP_TEXT.split(":")[0] in reply.body


def test_stop_opts_out_as_a_consent_change_and_start_opts_back_in(api, world):
    client, pro = world["client"], world["pro"]
    stop = api.post("/_dev/whatsapp/inbound", {"from": e164(client.phone), "body": "Arrêt"}).body
    assert stop["reply"] == texts.OPTED_OUT_TEXT
    user = users.get_user(client.id)
    assert "WHATSAPP" in user.muted_channels
    assert [(c.kind, c.granted, c.source) for c in consents_of(client.id) if c.kind == "WHATSAPP"] == [
        ("WHATSAPP", False, "WHATSAPP")]
    # delivery honours it: the confirmation reaches the client by SMS, not WhatsApp
    booking_id = book(api, client, pro).body["id"]
    assert act(api, pro, booking_id, "confirm").status == 200
    deliver_pending()
    assert whatsapp_to(client.phone) == []
    [sms] = [m for m in dev.list_sent() if m["channel"] == "SMS" and m["to"] == e164(client.phone)]
    assert "confirmé" in sms["body"]
    start = api.post("/_dev/whatsapp/inbound", {"from": e164(client.phone), "body": "start"}).body
    assert start["reply"] == texts.OPTED_IN_TEXT
    assert "WHATSAPP" not in (users.get_user(client.id).muted_channels or set())
    assert [c.granted for c in consents_of(client.id) if c.kind == "WHATSAPP"] == [False, True]


def _confirmed_message(api, world) -> dict:
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    assert act(api, pro, booking_id, "confirm").status == 200
    deliver_pending()
    [message] = whatsapp_to(client.phone, "khadamat_booking_confirmed")
    return message


def status(api, sid: str, value: str, error_code: str | None = None) -> dict:
    body = {"messageSid": sid, "status": value, **({"errorCode": error_code} if error_code else {})}
    reply = api.post("/_dev/whatsapp/status", body)
    assert reply.status == 200, reply.body
    return reply.body


def outbox_status(sid: str) -> str:
    return next(m for m in api_outbox() if m.get("messageSid") == sid)["status"]


def api_outbox() -> list[dict]:
    from khadamat.usecases.dev import sent_messages

    return sent_messages()["items"]


def test_statuses_are_recorded_per_message_and_never_move_backwards(api, world):
    message = _confirmed_message(api, world)
    sid = message["messageSid"]
    assert status(api, sid, "delivered") == {"messageSid": sid, "recorded": True}
    assert status(api, sid, "sent")["recorded"] is False  # late callback: ignored
    assert outbox_status(sid) == "delivered"
    assert status(api, sid, "read")["recorded"] is True and outbox_status(sid) == "read"


def test_a_failed_confirmation_goes_once_as_an_sms(api, world):
    client = world["client"]
    message = _confirmed_message(api, world)
    status(api, message["messageSid"], "sent")
    assert status(api, message["messageSid"], "undelivered", "63024")["recorded"] is True
    [sms] = [m for m in dev.list_sent() if m["channel"] == "SMS"]
    assert sms["to"] == e164(client.phone) and "confirmé" in sms["body"]
    ref = notification_store.MessageRef(client.id, message["messageId"])
    record = notification_store.unit_record(ref, "WHATSAPP")
    assert record["st"] == "undelivered" and record["e"] == "63024"
    # a second failure callback (Twilio retries) sends no second SMS
    status(api, message["messageSid"], "failed", "63024")
    assert len([m for m in dev.list_sent() if m["channel"] == "SMS"]) == 1


def test_a_failed_new_request_is_not_sent_as_sms(api, world):
    client, pro = world["client"], world["pro"]
    book(api, client, pro)
    deliver_pending()
    [request] = whatsapp_to(pro.phone)
    status(api, request["messageSid"], "failed", "63016")
    assert [m for m in dev.list_sent() if m["channel"] == "SMS"] == []


def test_messages_without_a_template_go_free_form_only_inside_the_window(api, world):
    client = world["client"]
    from khadamat.dal.outbox import new_outbox_item
    from khadamat.domain.timeutil import to_storage
    from khadamat import clock

    def old_item():
        item = new_outbox_item(type="BOOKING_CONFIRMED", recipient_id=client.id, recipient_role="CLIENT",
                               channels=["WHATSAPP"], booking_id=None, title="Titre", body="Texte",
                               created_at=to_storage(clock.now()))
        item.save()  # an item written before templates: no variables
        return item

    first = old_item()
    deliver_pending()
    assert whatsapp_to(client.phone) == []
    assert notification_store.unit_state(notification_store.ref_of(first), "WHATSAPP") == notification_store.SKIPPED
    api.post("/_dev/whatsapp/inbound", {"from": e164(client.phone), "body": "Bonjour"})
    old_item()
    deliver_pending()
    [free_form] = whatsapp_to(client.phone)
    assert free_form["body"] == "*Titre*\nTexte" and "template" not in free_form


def test_a_confirm_from_whatsapp_costs_at_most_eight_dynamodb_requests(api, world):
    """docs/notifications.md "DynamoDB round trips (webhooks)", at the real route."""
    from urllib.parse import urlencode

    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    deliver_pending()
    request = whatsapp_to(pro.phone, "khadamat_booking_requested")[-1]
    form = {"MessageSid": "SMcount1", "From": f"whatsapp:{e164(pro.phone)}", "Body": "Confirmer",
            "ButtonPayload": request["buttons"][0]["payload"]}
    signature = whatsapp_inbound.sign(f"{whatsapp.webhook_base_url()}{INBOUND}", form)
    with counting() as tally:
        reply = api.call("POST", INBOUND, raw_body=urlencode(form),
                         headers={"content-type": "application/x-www-form-urlencoded",
                                  "x-twilio-signature": signature})
    assert reply.status == 200 and "confirmé" in reply.body
    assert booking_status(api, client, booking_id) == "CONFIRMED"
    assert tally.requests <= 8, dict(tally.operations)
