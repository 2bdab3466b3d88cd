"""Pure account rules: Moroccan mobile numbers, passwords, login throttling."""

from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain.accounts import (Session, chain_to_spare, looks_like_phone, name_problem,
                                      normalize_email, normalize_moroccan_mobile, password_problem,
                                      refresh_token_live)
from khadamat.domain.errors import Unprocessable


@pytest.mark.parametrize("raw,e164", [
    ("0612345678", "+212612345678"), ("0712345678", "+212712345678"),
    ("+212612345678", "+212612345678"), ("+212 6 12 34 56 78", "+212612345678"),
    ("06-12-34-56-78", "+212612345678"), ("00212712345678", "+212712345678"),
])
def test_moroccan_mobiles_normalise_to_e164(raw, e164):
    assert normalize_moroccan_mobile(raw) == e164


@pytest.mark.parametrize("raw", ["0512345678", "0522123456", "+33612345678", "061234567",
                                 "06123456789", "hello", "", "+2126"])
def test_landlines_foreign_and_malformed_numbers_are_refused(raw):
    with pytest.raises(Unprocessable) as error:
        normalize_moroccan_mobile(raw)
    assert "phone" in error.value.message


@pytest.mark.parametrize("password,problem", [
    ("abcdefghi1", None), ("motdepasse2026", None), ("short1", "at least 10"),
    ("abcdefghij", "digit"), ("1234567890", "letter"), ("__________", "letter"),
])
def test_password_rule(password, problem):
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in found)


def test_login_kind_and_email_case():
    assert looks_like_phone("+212 612345678") and looks_like_phone("0612345678")
    assert not looks_like_phone("amina@example.ma")
    assert normalize_email("  Amina@Example.MA ") == "amina@example.ma"


def test_limit_windows_are_aligned_to_the_epoch_and_retry_after_counts_to_their_end():
    from khadamat.dal.limits import Limit, retry_after, verdict, window_key

    five_minutes = Limit("AUTHIP", 100, timedelta(minutes=5))
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert window_key(five_minutes, "1.2.3.4", start) == window_key(
        five_minutes, "1.2.3.4", start + timedelta(minutes=4, seconds=59))
    assert window_key(five_minutes, "1.2.3.4", start) != window_key(
        five_minutes, "1.2.3.4", start + timedelta(minutes=5))
    assert retry_after(five_minutes, start + timedelta(minutes=3, seconds=30)) == 90
    assert verdict(five_minutes, 99, start).allowed and not verdict(five_minutes, 100, start).allowed


@pytest.mark.parametrize("name,ok", [("M. Alami", True), ("Abd-el-Krim", True), ("محمد", True),
                                     ("evil.example", False), ("Amina2", False), ("", False),
                                     ("a\nb", False), ("x" * 41, False), ("- '", False)])
def test_name_rule(name, ok):
    assert (name_problem(name, "firstName") is None) is ok


# ---------------------------------------------------------------- signing sessions out
def test_a_refresh_token_survives_a_sign_out_only_if_newer_or_of_the_spared_chain():
    assert refresh_token_live(0, "a", 0, None)              # never signed out
    assert not refresh_token_live(0, "a", 1, None)          # signed out, nothing spared
    assert not refresh_token_live(0, "a", 1, "b")           # another chain spared
    assert refresh_token_live(0, "b", 1, "b")               # its chain spared
    assert refresh_token_live(1, "a", 1, "b")               # issued after the sign-out


def test_only_a_caller_still_signed_in_spares_its_chain():
    assert chain_to_spare(None, 0, None) is None
    assert chain_to_spare(Session("a", 0), 0, None) == "a"
    assert chain_to_spare(Session("a", 2), 2, "b") == "a"   # issued since the latest sign-out
    assert chain_to_spare(Session("b", 0), 2, "b") == "b"   # spared by it
    assert chain_to_spare(Session("a", 1), 2, "b") is None  # signed out: its access token lives on
