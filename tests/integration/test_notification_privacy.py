"""SPEC §13: inbox and outbox items keep no phone or name at rest; the contact line of a
CONFIRMED message and the other party's name are rendered when the message is sent or read,
so one party's DELETE /me leaves nothing of theirs in the other party's inbox (issue 14.7)."""

from __future__ import annotations

import json

from infra.local.lambda_runtime import invoke
from infra.local.stream_pump import stream_event
from khadamat.dal import dev
from infra.local.stream_pump import written_messages
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import act, book, table_items, user_item, world  # noqa: F401


def _deliver_pending() -> None:
    messages = written_messages(TEMPLATE)
    assert messages
    invoke(TEMPLATE.function("DeliverNotificationsFunction"), stream_event(messages))


def _personal(user_id: str) -> set[str]:
    user = user_item(user_id)
    return {user.phone, user.whatsapp, user.last_name, user.first_name} - {None}


def _at_rest(user_id: str) -> str:
    """Everything stored for the user's notifications: their inbox items, which are the
    outbox messages too (with their delivery records)."""
    inbox = [i for i in table_items(f"USER#{user_id}") if i["SK"].startswith("NOTIF#")]
    assert inbox and all(i["recipient_id"] == user_id for i in inbox)
    return json.dumps(inbox, default=str, ensure_ascii=False)


def test_the_confirmation_shows_the_pros_contact_when_read_and_sent_but_never_stores_it(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    assert act(api, pro, booking_id, "confirm").status == 200
    _deliver_pending()
    pro_contact = user_item(pro.id).whatsapp
    # the client reads and receives the pro's name and WhatsApp (the booking is CONFIRMED)...
    [confirmed] = [n for n in api.get("/me/notifications", token=client.token).body["items"]
                   if n["type"] == "BOOKING_CONFIRMED"]
    assert pro_contact in confirmed["body"] and user_item(pro.id).last_name in confirmed["body"]
    sent = [m for m in dev.list_sent() if m["channel"] == "WHATSAPP"
            and m.get("template") == "khadamat_booking_confirmed" and m["variables"]["4"] == pro_contact]
    assert len(sent) == 1 and pro_contact in sent[0]["preview"]
    # ...which no item of the client's inbox or outbox holds
    assert not any(value in _at_rest(client.id) for value in _personal(pro.id))


def test_the_pros_delete_me_leaves_no_phone_or_name_in_the_clients_inbox(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    assert act(api, pro, booking_id, "confirm").status == 200
    _deliver_pending()
    personal = _personal(pro.id) - _personal(client.id)  # both test users share a first name
    assert api.delete("/me", token=pro.token).status == 204

    assert not any(value in _at_rest(client.id) for value in personal)
    bodies = json.dumps(api.get("/me/notifications", token=client.token).body, ensure_ascii=False)
    assert "Le professionnel a confirmé" in bodies
    assert not any(value in bodies for value in personal) and "Contact" not in bodies


def test_the_clients_delete_me_leaves_no_name_in_the_pros_inbox(api, world):
    client, pro = world["client"], world["pro"]
    book(api, client, pro)
    _deliver_pending()
    first_name = user_item(client.id).first_name
    assert first_name in api.get("/me/notifications", token=pro.token).body["items"][0]["body"]
    assert first_name not in _at_rest(pro.id)
    assert api.delete("/me", token=client.token).status == 204

    [request] = api.get("/me/notifications", token=pro.token).body["items"]
    assert request["body"].startswith("Un client demande") and first_name not in request["body"]
