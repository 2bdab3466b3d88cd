"""Pure notification rules (SPEC §13)."""

from datetime import UTC, datetime, timedelta

from khadamat.domain import delivery as rules

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_each_device_is_its_own_delivery_unit_and_the_token_is_not_in_the_key():
    # Given two device tokens, When their units are built, Then they differ and hide the token
    first, second = rules.push_unit("token-aaaaaaaa"), rules.push_unit("token-bbbbbbbb")
    assert first != second and first.startswith("PUSH#")
    assert "token" not in first
    assert rules.push_unit("token-aaaaaaaa") == first


def test_stuck_after_five_minutes_and_given_up_after_a_day():
    assert not rules.is_stuck(NOW - timedelta(minutes=4, seconds=59), NOW)
    assert rules.is_stuck(NOW - timedelta(minutes=5), NOW)
    assert not rules.should_give_up(NOW - timedelta(hours=23, minutes=59), NOW)
    assert rules.should_give_up(NOW - timedelta(hours=24), NOW)


def test_whatsapp_text_puts_the_title_in_bold_above_the_body():
    assert rules.whatsapp_text("Réservation confirmée", "Lundi 10:00") == "*Réservation confirmée*\nLundi 10:00"
