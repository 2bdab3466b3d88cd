"""WhatsApp templates and actions (SPEC §16): WhatsApp's template rules, signed quick replies,
STOP/ARRET/START, the 24-hour window, status order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain import whatsapp_actions as actions
from khadamat.domain import whatsapp_templates as wt
from khadamat.domain.notifications import booking_confirmed, booking_ended, booking_requested
from khadamat.domain.change_notices import reminder, reschedule_proposed, rescheduled
from khadamat.domain.timeutil import to_storage

SLOT = datetime(2026, 12, 8, 10, tzinfo=UTC)


@pytest.mark.parametrize("template", list(wt.TEMPLATES.values()), ids=list(wt.TEMPLATES))
def test_every_template_obeys_whatsapps_rules(template):
    assert wt.rule_violations(template) == []
    assert template.language == "fr" and template.category in (wt.UTILITY, wt.AUTHENTICATION)


def _with(body: str, **extra) -> wt.Template:
    samples = {str(n): "x" for n in range(1, body.count("{{") + 1)}
    return wt.Template("t", wt.UTILITY, body, extra.pop("samples", samples), **extra)


@pytest.mark.parametrize("body,problem", [
    ("{{1}} a confirmé.", "starts with a variable"),
    ("Bonjour {{1}}", "ends with a variable"),
    ("Bonjour {{1}}.", "ends with a variable"),
    ("Bonjour {{1}} {{2}} et merci.", "next to each other"),
    ("Bonjour {{1}}, {{2}} et merci.", "next to each other"),
    ("Bonjour {{1}} et {{3}} merci.", "numbered 1..n"),
])
def test_the_rule_check_refuses_what_whatsapp_refuses(body, problem):
    assert any(problem in p for p in wt.rule_violations(_with(body)))


def test_a_sample_with_a_line_break_or_a_missing_sample_is_refused():
    assert wt.rule_violations(_with("Bonjour {{1}} et merci.", samples={"1": "a\nb"}))
    assert wt.rule_violations(_with("Bonjour {{1}} et merci.", samples={}))


def test_values_never_hold_a_line_break():
    variables = wt.content_variables(wt.BOOKING_CONFIRMED, ["Ali\nBaba", "Plomberie", "x", "+2126"])
    assert variables["1"] == "Ali Baba" and all("\n" not in v for v in variables.values())


def test_only_names_are_user_text():
    """Every notice's values are placeholders (names, contact) or the product's own text."""
    notices = [booking_requested("plumbing", SLOT), booking_confirmed("plumbing", SLOT),
               booking_ended("DECLINED", "CLIENT", "plumbing", SLOT),
               booking_ended("CANCELLED_BY_PRO", "CLIENT", "plumbing", SLOT),
               reminder("CLIENT", "H24", "plumbing", SLOT), rescheduled("PRO", "plumbing", SLOT, SLOT),
               reschedule_proposed("PRO", "CLIENT", "plumbing", SLOT, SLOT)]
    for notice in notices:
        template = wt.template_for(notice.type)
        assert template is not None, notice.type
        assert len(notice.variables) == len(template.variable_numbers()), notice.type
        for number, value in zip(template.variable_numbers(), notice.variables):
            if value == "{name}":
                assert number in template.name_variables, notice.type
            assert "\n" not in value and not value.startswith("+212")


def test_the_new_request_template_carries_confirm_and_refuse_quick_replies():
    assert [b.title for b in wt.BOOKING_REQUESTED.buttons] == ["Confirmer", "Refuser"]
    payload = actions.sign_payload("k", actions.CONFIRM, "b1", "pro1")
    variables = wt.content_variables(wt.BOOKING_REQUESTED, ["Ali", "Plomberie", "08/12"], {4: payload})
    assert variables["4"] == payload and "Ali demande" in wt.rendered(wt.BOOKING_REQUESTED, variables)


# ---------------------------------------------------------------- signed payloads
def test_a_payload_verifies_only_for_its_pro_unaltered():
    payload = actions.sign_payload("secret", actions.CONFIRM, "booking-1", "pro-1")
    assert actions.read_payload("secret", payload, "pro-1") == actions.ButtonAction(actions.CONFIRM, "booking-1")
    assert actions.read_payload("secret", payload, "pro-2") is None          # someone else's
    assert actions.read_payload("other-secret", payload, "pro-1") is None    # forged key
    code, booking, mac = payload.split(".")
    assert actions.read_payload("secret", f"D.{booking}.{mac}", "pro-1") is None  # action altered
    assert actions.read_payload("secret", f"{code}.booking-2.{mac}", "pro-1") is None  # booking altered
    for junk in (None, "", "C.x", "C..", "Z.booking-1." + mac, "C.b." + "A" * 32):
        assert actions.read_payload("secret", junk, "pro-1") is None


@pytest.mark.parametrize("text,word", [("STOP", "OPT_OUT"), ("stop", "OPT_OUT"), (" Arrêt ", "OPT_OUT"),
                                       ("ARRET", "OPT_OUT"), ("start", "OPT_IN"), ("START.", "OPT_IN"),
                                       ("stop please", None), ("Bonjour", None), (None, None)])
def test_stop_arret_and_start_in_any_case(text, word):
    assert actions.keyword(text) == word


def test_the_window_is_24_hours_after_the_last_inbound():
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert actions.in_session(to_storage(now - timedelta(hours=23, minutes=59)), now)
    assert not actions.in_session(to_storage(now - timedelta(hours=24)), now)
    assert not actions.in_session(None, now)


def test_statuses_never_move_backwards_and_failures_are_final():
    ranks = actions.STATUS_RANKS
    assert ranks["queued"] < ranks["sent"] < ranks["delivered"] < ranks["read"]
    assert ranks["failed"] > ranks["sent"] and ranks["failed"] >= ranks["delivered"]
    assert actions.needs_sms_fallback("BOOKING_CONFIRMED")
    assert actions.needs_sms_fallback("BOOKING_CANCELLED_BY_PRO")
    assert not actions.needs_sms_fallback("BOOKING_REQUESTED")
    assert not actions.needs_sms_fallback("BOOKING_REMINDER")
