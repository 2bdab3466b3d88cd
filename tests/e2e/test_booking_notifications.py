"""Booking transitions reach WhatsApp and the inbox over HTTP (SPEC §13)."""

import time

from tests.e2e.booking_support import booking_stack  # noqa: F401
from tests.e2e.test_booking_races import create, slot


def _whatsapp_to(stack, number: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while True:
        sent = [m for m in stack.get("/_dev/outbox").json()["items"]
                if m["channel"] == "WHATSAPP" and m["to"] == number]
        if len(sent) >= count or time.monotonic() > deadline:
            return sent
        time.sleep(0.1)


def _inbox(stack, token: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while True:
        items = stack.get("/me/notifications", token=token).json()["items"]
        if len(items) >= count or time.monotonic() > deadline:
            return items
        time.sleep(0.1)


def test_create_confirm_cancel_notify_the_other_party(booking_stack):
    stack = booking_stack
    client, pro = stack.account("CLIENT"), stack.pro()
    client_phone = stack.get("/me", token=client["token"]).json()["phone"]
    pro_phone = stack.get("/me", token=pro["token"]).json()["phone"]
    booking = create(stack, client, pro, slot(9, 10)).json()
    # create → the pro gets the WhatsApp template (on their verified phone, SPEC §16) and an inbox item
    [request] = _whatsapp_to(stack, pro_phone, 1)
    assert request["template"] == "khadamat_booking_requested"
    assert "Nouvelle demande" in request["preview"] and "+212" not in request["preview"]
    inbox = _inbox(stack, pro["token"], 1)
    assert [n["type"] for n in inbox] == ["BOOKING_REQUESTED"] and inbox[0]["bookingId"] == booking["id"]
    # confirm → the client gets WhatsApp with the pro's WhatsApp number
    assert stack.post(f"/bookings/{booking['id']}/confirm", {}, token=pro["token"]).status_code == 200
    [confirmed] = _whatsapp_to(stack, client_phone, 1)
    assert confirmed["template"] == "khadamat_booking_confirmed" and "+212700000002" in confirmed["preview"]
    # cancel by the pro → the client is told
    cancel = stack.post(f"/bookings/{booking['id']}/cancel", {"reason": "panne"}, token=pro["token"])
    assert cancel.status_code == 200
    told = _whatsapp_to(stack, client_phone, 2)
    assert len(told) == 2 and "annulée" in told[1]["preview"] and "+212" not in told[1]["preview"]
    client_inbox = _inbox(stack, client["token"], 2)
    assert [n["type"] for n in client_inbox] == ["BOOKING_CANCELLED_BY_PRO", "BOOKING_CONFIRMED"]
