"""Issue 14, accounts: per-IP /auth/* limit, atomic login failures, refresh rotation, names."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from tests.integration.test_accounts import PASSWORD, login, signup

WRONG = "wrongpass99"


def test_auth_routes_allow_100_per_ip_per_window_then_429_with_retry_after(api):
    api.post("/_dev/clock", {"now": "2030-01-01T10:00:00Z"})
    # Given 100 /auth/* requests from one address in the window (logout: no password hash, fast)
    for _ in range(100):
        assert api.post("/auth/logout", {"refreshToken": "x.y"}, source_ip="198.51.100.7").status == 204
    # When the 101st arrives, then it is refused with the seconds left in the window
    refused = api.post("/auth/signup", {}, source_ip="198.51.100.7")
    assert refused.status == 429 and refused.body["error"]["code"] == "RATE_LIMITED"
    assert 0 < int(refused.headers["Retry-After"]) <= 300  # the dev clock runs on meanwhile
    # Another address is not affected, nor are routes outside /auth/*
    assert api.post("/auth/logout", {"refreshToken": "x.y"}, source_ip="198.51.100.8").status == 204
    assert api.get("/health", source_ip="198.51.100.7").status == 200
    # And the next window (on the product's clock) accepts again
    api.post("/_dev/clock", {"now": "2030-01-01T10:04:00Z"})
    late = api.post("/auth/logout", {"refreshToken": "x.y"}, source_ip="198.51.100.7")
    assert late.status == 429 and 0 < int(late.headers["Retry-After"]) <= 60
    api.post("/_dev/clock", {"now": "2030-01-01T10:05:00Z"})
    assert api.post("/auth/logout", {"refreshToken": "x.y"}, source_ip="198.51.100.7").status == 204


def test_phone_in_either_form_and_email_of_one_account_share_one_failure_count(api):
    signup(api)
    for form in ("0612345678", "+212612345678", "amina@example.ma", "AMINA@example.ma", "06 12 34 56 78"):
        assert login(api, form, WRONG).status == 401
    for form in ("0612345678", "amina@example.ma"):
        reply = login(api, form)  # the right password too
        assert reply.status == 429 and reply.body["error"]["code"] == "RATE_LIMITED"
        assert int(reply.headers["Retry-After"]) > 0


def test_unknown_logins_get_the_same_answers_counted_per_login_string(api):
    answers = [login(api, "ghost@example.ma", WRONG).status for _ in range(7)]
    assert answers == [401] * 5 + [429] * 2
    assert login(api, "other-ghost@example.ma", WRONG).status == 401


def test_failures_are_counted_by_the_conditional_write_not_the_read(api):
    """Concurrent attempts all read an empty window: only the atomic count decides."""
    signup(api)
    from khadamat.dal import users

    real = users.read_user_and_window
    with patch.object(users, "read_user_and_window",
                      side_effect=lambda user_id, window: (real(user_id, window)[0], 0)):
        answers = [login(api, password=WRONG).status for _ in range(12)]
    assert answers == [401] * 5 + [429] * 7


def test_refresh_rotates_and_the_old_token_stops_working(api):
    signup(api)
    session = login(api).body
    first = api.post("/auth/refresh", {"refreshToken": session["refreshToken"]})
    assert first.status == 200, first.body
    assert set(first.body) == {"accessToken", "refreshToken", "expiresIn"}
    assert first.body["refreshToken"] != session["refreshToken"]
    second = api.post("/auth/refresh", {"refreshToken": first.body["refreshToken"]})
    assert second.status == 200
    assert api.get("/me", token=second.body["accessToken"]).status == 200


def test_reusing_a_rotated_token_revokes_its_whole_chain_only(api):
    signup(api)
    stolen = login(api).body["refreshToken"]
    other_device = login(api).body["refreshToken"]
    rotated = api.post("/auth/refresh", {"refreshToken": stolen}).body["refreshToken"]
    # When the rotated token is presented again (a copy), then 401 and the chain is revoked
    reuse = api.post("/auth/refresh", {"refreshToken": stolen})
    assert reuse.status == 401 and reuse.body["error"]["code"] == "UNAUTHORIZED"
    assert api.post("/auth/refresh", {"refreshToken": rotated}).status == 401
    # Another login (another chain) keeps working
    assert api.post("/auth/refresh", {"refreshToken": other_device}).status == 200


def test_logout_revokes_the_rotated_successor(api):
    signup(api)
    session = login(api).body
    current = api.post("/auth/refresh", {"refreshToken": session["refreshToken"]}).body["refreshToken"]
    assert api.post("/auth/logout", {"refreshToken": current}).status == 204
    assert api.post("/auth/refresh", {"refreshToken": current}).status == 401


@pytest.mark.parametrize("name", ["M. Alami", "Abd-el-Krim", "O'Neil", "محمد", "ⵜⴰⵎⴰⵣⵉⵖⵜ",
                                  "Aït Ben Haddou", "x" * 40, "Lê", "مُحَمَّد"])
def test_names_of_letters_spaces_hyphens_apostrophes_and_dots_are_accepted(api, name):
    reply = signup(api, firstName=name, lastName=name)
    assert reply.status == 201, reply.body


@pytest.mark.parametrize("name", ["Payez ici https://x.ma", "evil.example", "www.x", "Amina2",
                                  "Line\nbreak", "x" * 41, "Amina_", "...", "a@b", "R2-D2"])
def test_names_with_digits_links_or_line_breaks_are_422(api, name):
    reply = signup(api, firstName=name)
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"
    assert "firstName" in reply.body["error"]["message"]
