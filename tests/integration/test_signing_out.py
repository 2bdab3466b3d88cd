"""Signing sessions out (SPEC §3, §15; docs/accounts.md "Signing sessions out"): a phone or
password change, a reset, a ban and DELETE /me end every (other) refresh token at once, in
the write they already make: the account's session epoch, no token read or deleted."""

from __future__ import annotations

from infra.bench.counting import counting
from tests.integration.booking_helpers import PASSWORD, last_code, make_admin, signup_and_login
from tests.integration.test_phone_codes import check, clock_set, send  # noqa: F401 (fixture)

NEW_PASSWORD = "nouveau-mdp-2026"


def _login(api, login, password=PASSWORD):
    reply = api.post("/auth/login", {"login": login, "password": password})
    assert reply.status == 200, reply.body
    return reply.body


def _refresh(api, session) -> int:
    """Refreshes ``session`` (its refresh token rotates in place); the status."""
    reply = api.post("/auth/refresh", {"refreshToken": session["refreshToken"]})
    if reply.status == 200:
        session.update(reply.body)
    return reply.status


def _counted(call):
    with counting() as tally:
        reply = call()
    return reply, tally.requests


def _change_phone(api, session, new_phone):
    assert send(api, new_phone, "CHANGE_PHONE", session["accessToken"]).status == 202
    code = last_code(api, new_phone)
    return _counted(lambda: check(api, new_phone, code, "CHANGE_PHONE", session["accessToken"]))


def _change_password(api, session, current=PASSWORD, new=NEW_PASSWORD):
    return _counted(lambda: api.post("/me/password", {"currentPassword": current, "newPassword": new},
                                     token=session["accessToken"]))


# ---------------------------------------------------------------- CHANGE_PHONE
def test_change_phone_signs_the_other_sessions_out_in_its_three_requests(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    changed, requests = _change_phone(api, mine, "0677777801")
    assert changed.status == 200 and changed.body["phone"] == "+212677777801", changed.body
    # Then the whole change (the other sessions' end included) took 3 DynamoDB requests
    assert requests == 3
    # and at once: the other login's token is refused, the caller's own still refreshes
    assert _refresh(api, other) == 401
    assert _refresh(api, mine) == 200 and _refresh(api, mine) == 200
    # and a login made after the change refreshes (same frozen clock: no timestamp tie)
    later = _login(api, "0677777801")
    assert _refresh(api, later) == 200


def test_the_callers_session_survives_two_sign_outs_in_a_row_without_refreshing(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    assert _change_phone(api, mine, "0677777802")[0].status == 200
    assert _change_password(api, mine)[0].status == 204
    assert _refresh(api, other) == 401
    assert _refresh(api, mine) == 200


def test_a_signed_out_sessions_access_token_cannot_spare_its_own_chain(api, clock_set):
    # Given the other session signed out by a password change (its access token lives on)
    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    assert _change_password(api, mine)[0].status == 204
    # When that access token changes the phone within its 15 minutes
    assert _change_phone(api, other, "0677777803")[0].status == 200
    # Then its refresh token stays refused (not revived as "the caller's own"), and the
    # sign-out spared no one
    assert _refresh(api, other) == 401
    assert _refresh(api, mine) == 401
    assert _refresh(api, _login(api, "0677777803", NEW_PASSWORD)) == 200


# ---------------------------------------------------------------- passwords
def test_change_password_signs_every_other_session_out_in_two_requests(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    changed, requests = _change_password(api, mine)
    assert changed.status == 204 and requests == 2  # the caller, one UpdateItem
    assert _refresh(api, other) == 401
    assert _refresh(api, mine) == 200
    assert _refresh(api, _login(api, client.phone, NEW_PASSWORD)) == 200


def test_password_reset_signs_every_session_out_in_three_requests(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    first, second = _login(api, client.phone), _login(api, client.phone)
    send(api, client.phone, "PASSWORD_RESET")
    granted = check(api, client.phone, last_code(api, client.phone), "PASSWORD_RESET").body
    reset, requests = _counted(lambda: api.post("/auth/password/reset", {
        "resetToken": granted["resetToken"], "newPassword": NEW_PASSWORD}))
    assert reset.status == 204 and requests == 3  # per IP, the reset token, one UpdateItem
    assert _refresh(api, first) == 401 and _refresh(api, second) == 401
    assert _refresh(api, _login(api, client.phone, NEW_PASSWORD)) == 200


def test_a_password_change_racing_another_sign_out_is_refused_not_reviving(api, clock_set):
    from khadamat import clock
    from khadamat.api.auth import session_of
    from khadamat.dal import users
    from khadamat.domain.errors import Conflict
    from khadamat.usecases import phone_codes

    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    stale = users.get_user(client.id)  # read by the other session's request...
    assert _change_password(api, mine)[0].status == 204  # ...when this one signs it out
    try:
        phone_codes.change_password(caller=stale, current_password=PASSWORD, new_password="autre-mdp-2026",
                                    session=session_of({"authorization": f"Bearer {other['accessToken']}"}),
                                    now=clock.now())
        raise AssertionError("a change judged on a stale epoch must not commit")
    except Conflict:
        pass
    assert _refresh(api, other) == 401 and _refresh(api, mine) == 200


# ---------------------------------------------------------------- ban, DELETE /me
def test_ban_signs_every_session_out_for_good_in_two_requests(api, clock_set):
    admin, client = make_admin(api), signup_and_login(api, "CLIENT")
    session = _login(api, client.phone)
    banned, requests = _counted(lambda: api.post(f"/admin/users/{client.id}/ban", {"reason": "fraude"},
                                                 token=admin.token))
    assert banned.status == 200 and requests == 2
    assert _refresh(api, session) == 401
    # Then lifting the ban does not bring the old session back; a new login works
    assert api.post(f"/admin/users/{client.id}/unban", token=admin.token).status == 200
    assert _refresh(api, session) == 401
    assert _refresh(api, _login(api, client.phone)) == 200


def test_delete_me_signs_every_session_out_in_two_requests(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    deleted, requests = _counted(lambda: api.delete("/me", token=mine["accessToken"]))
    assert deleted.status == 204 and requests == 2  # the caller, the erasure's transaction
    assert _refresh(api, mine) == 401 and _refresh(api, other) == 401


# ---------------------------------------------------------------- the export's sessions
def test_the_export_lists_only_sessions_that_still_refresh(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    mine, other = _login(api, client.phone), _login(api, client.phone)
    assert _refresh(api, mine) == 200  # its first token is now rotated
    assert _change_password(api, mine)[0].status == 204  # the other's and the signup's end
    sessions = api.get("/me/export", token=mine["accessToken"]).body["sessions"]
    assert len(sessions) == 1 and set(sessions[0]) == {"expiresAt"}
    assert _refresh(api, other) == 401
