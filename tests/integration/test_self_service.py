"""PATCH /me and the notification preferences (SPEC §15), through the real handlers."""

from __future__ import annotations

import pytest

from khadamat.dal import dev
from khadamat.dal import notifications as notification_store
from infra.local.stream_pump import written_messages
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import (book, code, make_admin, make_pro, set_clock,
                                               signup_and_login, table_items, user_item)
from tests.integration.test_notification_delivery import deliver

pytestmark = pytest.mark.usefixtures("aws")


def _email_owners() -> dict[str, str]:
    return {item["PK"]: item["user_id"] for item in table_items("EMAIL#")}


# ---------------------------------------------------------------- PATCH /me
def test_patch_me_changes_names_and_answers_the_account(api):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    reply = api.patch("/me", {"firstName": "M. Abd-el-Krim", "lastName": "Aït Ouarab"},
                      token=client.token)
    assert reply.status == 200, reply.body
    assert reply.body == {**api.get("/me", token=client.token).body}
    assert (reply.body["firstName"], reply.body["lastName"]) == ("M. Abd-el-Krim", "Aït Ouarab")
    assert reply.body["phone"] == "+212" + client.phone[1:]  # the phone is not changed here


def test_patch_me_names_are_what_the_admin_search_finds(api):
    """The admin's name search (SPEC §17) reads its own index entries: PATCH /me rewrites them
    in the same transaction as the names."""
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    admin = make_admin(api)
    assert api.patch("/me", {"firstName": "Zoubida", "lastName": "Ëlmansouri"},
                     token=client.token).status == 200

    def found(query: str) -> list[str]:
        reply = api.get(f"/admin/users?query={query}", token=admin.token)
        assert reply.status == 200, reply.body
        return [item["id"] for item in reply.body["items"]]

    assert client.id in found("zoub")
    assert client.id in found("elmans")  # accents folded
    assert client.id not in found("prenom")  # the old first name ("Prénom") left the index


@pytest.mark.parametrize("name", ["evil.example", "www.x", "Ali2", "Ali\nBaba", "a" * 41, "",
                                  "http://x", "---"])
def test_patch_me_refuses_names_that_break_the_rules(api, name):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    before = user_item(client.id).first_name
    reply = api.patch("/me", {"firstName": name}, token=client.token)
    assert reply.status == 422, (name, reply.body)
    assert user_item(client.id).first_name == before


def test_a_new_email_swaps_the_uniqueness_item_and_frees_the_old_one(api):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    old = user_item(client.id).email
    reply = api.patch("/me", {"email": "Nouvelle.Adresse@Example.MA"}, token=client.token)
    assert reply.status == 200 and reply.body["email"] == "nouvelle.adresse@example.ma"
    owners = _email_owners()
    assert owners["EMAIL#nouvelle.adresse@example.ma"] == client.id
    assert f"EMAIL#{old}" not in owners
    # the new email signs in; the old one may be taken by someone else now
    login = api.post("/auth/login", {"login": "nouvelle.adresse@example.ma", "password": "motdepasse1"})
    assert login.status == 200
    assert signup_and_login(api, "CLIENT", email=old).id != client.id


def test_an_email_taken_by_another_account_is_409_in_any_case(api):
    set_clock(api)
    client, other = signup_and_login(api, "CLIENT"), signup_and_login(api, "CLIENT")
    taken, mine = user_item(other.id).email, user_item(client.id).email
    reply = api.patch("/me", {"email": taken.upper(), "firstName": "Samir"}, token=client.token)
    assert reply.status == 409 and code(reply) == "ACCOUNT_EXISTS"
    after = user_item(client.id)
    assert (after.email, after.first_name) == (mine, "Prénom")  # nothing half-written
    assert _email_owners()[f"EMAIL#{taken}"] == other.id
    assert _email_owners()[f"EMAIL#{mine}"] == client.id


def test_the_same_email_in_another_case_is_no_change(api):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    mine = user_item(client.id).email
    reply = api.patch("/me", {"email": mine.upper()}, token=client.token)
    assert reply.status == 200 and reply.body["email"] == mine
    assert _email_owners()[f"EMAIL#{mine}"] == client.id


def test_patch_me_refuses_a_bad_email_and_the_phone_field_changes_nothing(api):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    assert api.patch("/me", {"email": "pas-un-email"}, token=client.token).status == 422
    before = user_item(client.id).phone
    api.patch("/me", {"phone": "0699999999"}, token=client.token)
    assert user_item(client.id).phone == before


# ---------------------------------------------------------------- preferences
def test_preferences_default_on_and_put_replaces_them(api):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    assert api.get("/me/preferences", token=client.token).body == {"whatsapp": True, "push": True,
                                                                   "sms": True}
    reply = api.put("/me/preferences", {"whatsapp": False, "push": True, "sms": False},
                    token=client.token)
    assert reply.status == 200 and reply.body == {"whatsapp": False, "push": True, "sms": False}
    assert api.get("/me/preferences", token=client.token).body == reply.body
    assert user_item(client.id).muted_channels == {"WHATSAPP", "SMS"}
    api.put("/me/preferences", {"whatsapp": True, "push": True, "sms": True}, token=client.token)
    assert user_item(client.id).muted_channels is None  # back to the default: nothing stored


@pytest.mark.parametrize("body", [{"whatsapp": False}, {"whatsapp": "no", "push": True, "sms": True},
                                  {"whatsapp": 0, "push": True, "sms": True}])
def test_preferences_must_be_three_booleans(api, body):
    set_clock(api)
    client = signup_and_login(api, "CLIENT")
    assert api.put("/me/preferences", body, token=client.token).status == 422
    assert user_item(client.id).muted_channels is None


def test_a_channel_turned_off_gets_nothing_and_the_inbox_still_gets_its_item(api):
    # Given two pros, one with WhatsApp and push turned off, each with a device
    set_clock(api)
    client, quiet, usual = signup_and_login(api, "CLIENT"), make_pro(api), make_pro(api)
    for pro, token in ((quiet, "device-quiet-0001"), (usual, "device-usual-0001")):
        assert api.post("/me/devices", {"platform": "ANDROID", "token": token},
                        token=pro.token).status == 201
    assert api.put("/me/preferences", {"whatsapp": False, "push": False, "sms": True},
                   token=quiet.token).status == 200
    # When a request reaches each of them and the messages are delivered
    for pro in (quiet, usual):
        assert book(api, client, pro).status == 201
    deliver(*written_messages(TEMPLATE))
    # Then the quiet pro got no WhatsApp and no push, but the inbox item; the other got all three
    sent = dev.list_sent()
    notifications = [m for m in sent if m.get("messageId")]  # not the phone codes (OTP)
    recipients = {m.message_id: m.recipient_id for m in written_messages(TEMPLATE)}
    whatsapp_recipients = [recipients[m["messageId"]] for m in notifications if m["channel"] == "WHATSAPP"]
    assert whatsapp_recipients == [usual.id]
    assert {m["token"] for m in notifications if m["channel"] == "PUSH"} == {"device-usual-0001"}
    for pro in (quiet, usual):
        inbox = api.get("/me/notifications", token=pro.token).body["items"]
        assert [n["type"] for n in inbox] == ["BOOKING_REQUESTED"]
    assert not notification_store.messages_to_retry(limit=50)  # the muted message is done, not stuck
