"""Pure rules of issue 16's self-service and privacy part: names, preferences, retention."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from khadamat.domain import delivery, retention
from khadamat.domain.accounts import name_problem


@pytest.mark.parametrize("name", ["Nadia", "M. Alami", "Abd-el-Krim", "Aït Ouarab", "O'Neil",
                                  "محمّد", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "a" * 40])
def test_names_of_letters_spaces_and_punctuation_pass(name):
    assert name_problem(name, "firstName") is None


@pytest.mark.parametrize("name", ["", "a" * 41, "Ali2", "evil.example", "www.x", "Ali\nBaba",
                                  "Ali\tBaba", "http://x", "a_b", "---", "Nadia 🙂"])
def test_names_with_anything_else_are_refused(name):
    assert name_problem(name, "firstName")


def test_preferences_default_on_and_map_to_muted_channels():
    assert delivery.preferences_view(None) == {"whatsapp": True, "push": True, "sms": True}
    muted = delivery.muted_channels_of({"whatsapp": False, "push": True, "sms": False})
    assert muted == {"WHATSAPP", "SMS"}
    assert delivery.preferences_view(muted) == {"whatsapp": False, "push": True, "sms": False}


def test_a_muted_channel_is_not_delivered_and_the_inbox_always_is():
    muted = {"WHATSAPP", "PUSH"}
    assert not delivery.channel_allowed("WHATSAPP", muted)
    assert not delivery.channel_allowed("PUSH", muted)
    assert delivery.channel_allowed("INBOX", {"WHATSAPP", "PUSH", "SMS", "INBOX"})
    assert delivery.channel_allowed("WHATSAPP", None)


def test_retention_times():
    slot = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert retention.booking_erase_at(slot) == datetime(2028, 12, 1, 12, tzinfo=UTC)
    assert retention.booking_erase_at(datetime(2028, 2, 29, 9, tzinfo=UTC)) == datetime(2030, 2, 28, 9, tzinfo=UTC)
    assert retention.outbox_ttl(slot) == int(slot.timestamp()) + 90 * 86_400
    assert retention.read_notification_ttl(slot) == int(slot.timestamp()) + 180 * 86_400


@pytest.mark.parametrize("status,erasable", [("EXPIRED", True), ("DECLINED", True),
                                             ("CANCELLED_BY_CLIENT", True),
                                             ("CANCELLED_BY_CLIENT_LATE", True),
                                             ("CANCELLED_BY_PRO", True),
                                             ("CANCELLED_AUTO_FIRST_CONFIRMED", True),
                                             ("COMPLETED", False), ("CONFIRMED", False),
                                             ("PENDING", False)])
def test_only_bookings_that_never_took_place_are_erased(status, erasable):
    assert retention.is_erasable(status) is erasable
