"""No user-typed text other than names reaches an outbound message (issue 14, SPEC §13).

Cancel and decline reasons, report titles and details, bios are typed by users: a
"Payez ici https://…" in any of them must never be carried to the other party by a
WhatsApp, push or inbox message. Every message of a booking's life is built, delivered
through the real delivery function, and every stored or sent text is searched.
"""

from __future__ import annotations

from infra.local.lambda_runtime import invoke
from infra.local.stream_pump import stream_event, written_messages
from khadamat.dal import dev
from khadamat.dal.users import UserItem, user_key
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import (act, at, book, make_pro, set_clock, signup_and_login,
                                               notification_items, table_items)

SCAM = "Payez ici https://arnaque.example/pay"
MARK = "arnaque.example"


def _deliver_everything() -> None:
    items = written_messages(TEMPLATE)
    invoke(TEMPLATE.function("DeliverNotificationsFunction"), stream_event(items))


def test_reasons_titles_and_bios_never_reach_a_message(api):
    # Given a pro whose bio carries a link, and a client
    set_clock(api)
    client, pro = signup_and_login(api, "CLIENT"), make_pro(api)
    UserItem(*user_key(pro.id)).update(actions=[UserItem.bio.set(SCAM)])
    # When every transition that messages the other party carries user-typed text:
    # a decline with a reason
    declined = book(api, client, pro, slot=at(30)).body["id"]
    assert act(api, pro, declined, "decline", {"reason": SCAM}).status == 200
    # a client cancel with a reason, after a confirm
    by_client = book(api, client, pro, slot=at(40)).body["id"]
    assert act(api, pro, by_client, "confirm").status == 200
    assert act(api, client, by_client, "cancel", {"reason": SCAM}).status == 200
    # a pro cancel (reason required) of a confirmed booking, and a report on it
    by_pro = book(api, client, pro, slot=at(50)).body["id"]
    assert act(api, pro, by_pro, "confirm").status == 200
    assert act(api, pro, by_pro, "cancel", {"reason": SCAM}).status == 200
    filed = api.post(f"/bookings/{by_pro}/reports", {"title": SCAM, "details": SCAM},
                     token=client.token)
    assert filed.status == 201
    _deliver_everything()
    # Then messages went out (requests, confirmations, cancellations, a decline) …
    outbox = notification_items()
    assert {raw["type"] for raw in outbox} >= {"BOOKING_REQUESTED", "BOOKING_CONFIRMED",
                                                "BOOKING_DECLINED", "BOOKING_CANCELLED_BY_CLIENT",
                                                "BOOKING_CANCELLED_BY_PRO"}
    sent = dev.list_sent()
    assert sent
    # … and none of them, stored, sent or in an inbox, holds the typed text
    inboxes = [item for person in (client, pro) for item in table_items(f"USER#{person.id}")
               if item["SK"].startswith("NOTIF#")]
    assert inboxes
    for text in [str(raw) for raw in outbox] + [str(message) for message in sent] + [str(i) for i in inboxes]:
        assert MARK not in text and "Payez" not in text, text
