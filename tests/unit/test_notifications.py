"""Booking notification texts (SPEC §13): French, local time, category name, Privacy Shield."""

from datetime import UTC, datetime

import pytest

from khadamat.domain import notifications

WINTER_SLOT = datetime(2026, 12, 2, 10, tzinfo=UTC)  # Casablanca UTC+00 since 2026-09-20
SUMMER_SLOT = datetime(2026, 6, 1, 9, tzinfo=UTC)  # UTC+01 then


def test_request_to_the_pro_names_category_and_local_hour():
    notice = notifications.booking_requested("electricite", WINTER_SLOT)
    assert notice.recipient_role == "PRO" and notice.channels == ("WHATSAPP", "PUSH", "INBOX")
    assert "Électricité" in notice.body and "02/12/2026 à 10h00" in notice.body
    assert notifications.render(notice.body, "Amina", None).startswith("Amina demande")


def test_local_hour_follows_the_zone_rules_of_the_date():
    assert "01/06/2026 à 10h00" in notifications.booking_requested("menage", SUMMER_SLOT).body


def test_confirmation_to_the_client_carries_the_pros_contact_only_when_rendered():
    notice = notifications.booking_confirmed("plomberie", WINTER_SLOT)
    assert notice.recipient_role == "CLIENT" and "WHATSAPP" in notice.channels
    assert "+212" not in notice.body and "Plomberie" in notice.body  # nothing personal at rest
    text = notifications.render(notice.body, "Karim B", "+212700000001")
    assert text.startswith("Karim B a confirmé") and text.endswith("Contact : +212700000001.")
    assert "Contact" not in notifications.render(notice.body, "Karim B", None)


@pytest.mark.parametrize("role, live, expected", [("PRO", True, "Karim Benali"), ("CLIENT", True, "Karim"),
                                                  ("PRO", False, "Le professionnel"),
                                                  ("CLIENT", False, "Un client")])
def test_an_erased_party_is_named_by_role_only(role, live, expected):
    assert notifications.party_name(role, "Karim", "Benali", live) == expected


@pytest.mark.parametrize("status", ["DECLINED", "EXPIRED", "CANCELLED_BY_CLIENT", "CANCELLED_BY_CLIENT_LATE",
                                    "CANCELLED_BY_PRO", "CANCELLED_AUTO_FIRST_CONFIRMED"])
@pytest.mark.parametrize("role", ["CLIENT", "PRO"])
def test_endings_go_by_whatsapp_only_to_clients_and_never_carry_a_phone(status, role):
    notice = notifications.booking_ended(status, role, "serrurerie", WINTER_SLOT)
    assert ("WHATSAPP" in notice.channels) == (role == "CLIENT")
    assert {"PUSH", "INBOX"} <= set(notice.channels)
    assert notice.type == f"BOOKING_{status}" and "Serrurerie" in notice.body
    assert "+212" not in notice.body


def test_slot_taken_decline_says_why():
    notice = notifications.booking_ended("DECLINED", "CLIENT", "menage", WINTER_SLOT, slot_taken=True)
    assert "créneau" in notice.body
