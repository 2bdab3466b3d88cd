"""WhatsApp confirms racing API confirms over HTTP (SPEC §16, §6): the « Confirmer » button runs
the API's confirm use case, so first-confirmed-wins holds across channels. Each round checks the
winner, then the store invariants (tests/e2e/invariants.py)."""

from __future__ import annotations

import time

from tests.e2e.test_booking_races import slot
from tests.e2e.booking_support import booking_stack, in_parallel  # noqa: F401  (fixture)
from tests.e2e.invariants import Store, violations

ROUNDS = 3
CONFIRMED_REPLY = "C'est confirmé"


def create(stack, client, pro, time_slot) -> str:
    reply = stack.post("/bookings", {"proId": pro["id"], "categoryId": "plomberie", "timeSlot": time_slot},
                       token=client["token"])
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def phone_of(stack, user: dict) -> str:
    return stack.items(f"USER#{user['id']}", "PROFILE")[0]["phone"]


def confirm_payload(stack, pro: dict, booking_id: str) -> str:
    """The « Confirmer » payload of the new-request template the pro received (delivered by the
    stack's stream pump)."""
    number = phone_of(stack, pro)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in stack.get("/_dev/outbox").json()["items"]:
            if message.get("template") == "khadamat_booking_requested" and message["to"] == number:
                payload = next(b["payload"] for b in message["buttons"] if b["title"] == "Confirmer")
                if payload.split(".")[1] == booking_id:
                    return payload
        time.sleep(0.3)
    raise AssertionError(f"no new-request template for {booking_id}")


def whatsapp_confirm(stack, pro: dict, payload: str):
    return lambda: stack.post("/_dev/whatsapp/inbound", {"from": phone_of(stack, pro), "body": "Confirmer",
                                                          "buttonPayload": payload})


def assert_invariants(stack) -> None:
    store = Store(stack.endpoint)
    assert store.wait_for_follow_ups()
    problems = violations(store.items())
    assert not problems, "\n".join(problems)


def status_of(stack, booking_id: str) -> str:
    return stack.items(f"BOOKING#{booking_id}", "BOOKING")[0]["status"]


def race_confirms(stack, by_chat: tuple[dict, str], by_http: tuple[dict, str]) -> None:
    """A pro's « Confirmer » from WhatsApp and a pro's POST /confirm, at once: exactly one wins."""
    (chat_pro, chat_booking), (api_pro, api_booking) = by_chat, by_http
    payload = confirm_payload(stack, chat_pro, chat_booking)
    chat, http = in_parallel([whatsapp_confirm(stack, chat_pro, payload),
                              lambda: stack.post(f"/bookings/{api_booking}/confirm", token=api_pro["token"])])
    assert chat.status_code == 200 and http.status_code in (200, 409), (chat.text, http.text)
    whatsapp_won = chat.json()["reply"].startswith(CONFIRMED_REPLY)
    assert whatsapp_won != (http.status_code == 200), (chat.json(), http.text)


def test_a_whatsapp_confirm_racing_an_api_confirm_of_the_same_hour_makes_one_winner(booking_stack):
    stack = booking_stack
    pro = stack.pro()
    first, second = stack.account("CLIENT"), stack.account("CLIENT")
    for round_ in range(ROUNDS):
        time_slot = slot(5, 8 + round_)
        by_whatsapp, by_api = create(stack, first, pro, time_slot), create(stack, second, pro, time_slot)
        race_confirms(stack, (pro, by_whatsapp), (pro, by_api))
        stack.wait_for_follow_ups()
        statuses = {status_of(stack, by_whatsapp), status_of(stack, by_api)}
        assert statuses == {"CONFIRMED", "DECLINED"}, statuses
        assert_invariants(stack)


def test_a_whatsapp_confirm_racing_the_clients_other_pending_being_confirmed(booking_stack):
    stack = booking_stack
    client = stack.account("CLIENT")
    chat_pro, api_pro = stack.pro(), stack.pro()
    for round_ in range(ROUNDS):
        time_slot = slot(6, 8 + round_)
        by_whatsapp, by_api = create(stack, client, chat_pro, time_slot), create(stack, client, api_pro, time_slot)
        race_confirms(stack, (chat_pro, by_whatsapp), (api_pro, by_api))
        statuses = sorted([status_of(stack, by_whatsapp), status_of(stack, by_api)])
        assert statuses == ["CANCELLED_AUTO_FIRST_CONFIRMED", "CONFIRMED"], statuses
        assert_invariants(stack)
