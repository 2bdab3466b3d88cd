"""Texts of the booking changes (issue 20): French, the local time, never a phone or a name."""

from datetime import UTC, datetime

from khadamat.domain import change_notices

OLD, NEW = datetime(2026, 12, 2, 10, tzinfo=UTC), datetime(2026, 12, 3, 15, tzinfo=UTC)


def test_each_message_names_the_category_and_the_casablanca_times_only():
    notices = [change_notices.reschedule_proposed("PRO", "CLIENT", "plomberie", OLD, NEW),
               change_notices.rescheduled("CLIENT", "plomberie", OLD, NEW),
               change_notices.reschedule_dropped("CLIENT", False, "plomberie", OLD, NEW),
               change_notices.reschedule_dropped("PRO", True, "plomberie", OLD, NEW)]
    for notice in notices:
        assert "Plomberie" in notice.body and "03/12/2026 à 15h00" in notice.body
        assert "+212" not in notice.body
    assert notices[0].channels == ("WHATSAPP", "PUSH", "INBOX") and "Le client propose" in notices[0].body
    assert [n.type for n in notices[2:]] == ["BOOKING_RESCHEDULE_DECLINED", "BOOKING_RESCHEDULE_WITHDRAWN"]


def test_reminders_go_by_whatsapp_and_push():
    early = change_notices.reminder("CLIENT", "H24", "menage", OLD)
    late = change_notices.reminder("PRO", "H2", "menage", OLD)
    assert early.channels == late.channels == ("WHATSAPP", "PUSH")
    assert "demain" in early.body and "dans 2 heures" in late.body and "02/12/2026 à 10h00" in late.body
