"""Issue 21, in-process: the booking funnel metrics are emitted once per committed transition, and
one booking's log records (create, confirm, follow-up, deliveries) share its correlation id."""

from __future__ import annotations

import json
import logging

import pytest

from infra.local.lambda_runtime import invoke
from infra.local.stream_pump import stream_event, written_messages
from khadamat import business_metrics, observability
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import act, at, book, set_clock, world  # noqa: F401


class Collected(logging.Handler):
    """The JSON records the functions log (Powertools formatter), parsed."""

    def __init__(self):
        super().__init__()
        self.setFormatter(observability.logger.registered_formatter)
        self.records: list[dict] = []

    def emit(self, record):
        self.records.append(json.loads(self.format(record)))


@pytest.fixture
def logs():
    handler = Collected()
    target = logging.getLogger(observability.logger.service)
    target.addHandler(handler)
    yield handler.records
    target.removeHandler(handler)


@pytest.fixture
def emitted(monkeypatch):
    names: list[str] = []
    original = business_metrics.metrics.add_metric

    def record(name, unit, value, *args, **kwargs):
        names.extend([name] * int(value) if unit == "Count" or getattr(unit, "value", "") == "Count" else [name])
        return original(name=name, unit=unit, value=value, *args, **kwargs)

    monkeypatch.setattr(business_metrics.metrics, "add_metric", record)
    return names


def _deliver_pending() -> None:
    invoke(TEMPLATE.function("DeliverNotificationsFunction"), stream_event(written_messages(TEMPLATE)))


def test_each_committed_transition_emits_its_funnel_metric_once(api, world, emitted):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    assert act(api, pro, booking_id, "confirm").status == 200
    assert act(api, pro, booking_id, "confirm").status == 409  # refused: nothing committed
    set_clock(api, at(27), client, pro)
    assert act(api, pro, booking_id, "complete").status == 200
    funnel = [name for name in emitted if name.startswith("Booking")]
    assert funnel == ["BookingCreated", "BookingConfirmed", "BookingCompleted"]


def test_a_bookings_create_confirm_and_deliveries_share_one_correlation_id(api, world, logs):
    client, pro = world["client"], world["pro"]
    booking_id = book(api, client, pro).body["id"]
    [created] = [r for r in logs if r.get("transition") == "BookingCreated"]
    origin = created["correlation_id"]
    assert origin and created[observability.BOOKING_CORRELATION_KEY] == origin
    assert act(api, pro, booking_id, "confirm").status == 200
    _deliver_pending()

    [confirmed] = [r for r in logs if r.get("transition") == "BookingConfirmed"]
    delivered = [r for r in logs if r.get("message") == "notification delivered"
                 and r.get("bookingId") == booking_id]
    assert confirmed["correlation_id"] != origin  # the confirm is its own API request...
    assert confirmed[observability.BOOKING_CORRELATION_KEY] == origin  # ...about the same booking
    assert sorted(r["type"] for r in delivered) == ["BOOKING_CONFIRMED", "BOOKING_REQUESTED"]
    assert {r["correlation_id"] for r in delivered} == {origin}
    assert {r[observability.BOOKING_CORRELATION_KEY] for r in delivered} == {origin}


def test_the_whatsapp_switch_skips_whatsapp_and_keeps_push_and_inbox(api, monkeypatch):
    from datetime import UTC, datetime

    from khadamat.dal import dev
    from khadamat.dal import notifications as store
    from khadamat.usecases import notifications
    from tests.integration.test_notification_delivery import make_user, outbox

    # Given the operator turned WhatsApp off (template parameter WhatsAppChannel=off)
    monkeypatch.setenv("WHATSAPP_CHANNEL", "off")
    client = make_user(role="CLIENT")
    message = outbox(client, channels=("WHATSAPP", "INBOX"))
    # When the message is delivered
    notifications.deliver(message, datetime.now(UTC))
    # Then WhatsApp is recorded SKIPPED (never sent later), the inbox has it, nothing is pending
    assert store.unit_state(store.ref_of(message), "WHATSAPP") == store.SKIPPED
    assert not [m for m in dev.list_sent() if m["channel"] == "WHATSAPP"]
    assert [n["id"] for n in api.get("/me/notifications", token=_token(client)).body["items"]] == [
        message.message_id]
    assert store.messages_to_retry() == []


def _token(user):
    from tests.integration.test_notification_delivery import token_for

    return token_for(user)
