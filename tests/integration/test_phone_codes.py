"""SPEC §15: verified phones, codes by Twilio Verify (local stand-in, or the real adapter
against a stubbed HTTP client), OTP login, password reset and change, consents, rules."""

from __future__ import annotations

import json
from unittest.mock import patch

import pytest

from tests.integration.booking_helpers import (NOW, PASSWORD, at, last_code, make_pro, set_clock,
                                               sign_up_verified, signup_and_login, verify_phone)

NEW_PASSWORD = "nouveau-mdp-2026"


@pytest.fixture
def clock_set(api):
    set_clock(api, NOW)


def unverified(api, role="CLIENT", **extra):
    return signup_and_login(api, role, verified=False, **extra)


def send(api, phone, purpose, token=None, **extra):
    return api.post("/auth/otp/send", {"phone": phone, "purpose": purpose, **extra}, token=token)


def check(api, phone, code, purpose, token=None):
    return api.post("/auth/otp/verify", {"phone": phone, "code": code, "purpose": purpose}, token=token)


def otp_messages(api):
    return [m for m in api.get("/_dev/outbox").body["items"] if m.get("type") == "OTP"]


# ---------------------------------------------------------------- signup, consents, /me
def test_signup_needs_accept_terms_true(api):
    body = {"phone": "0611111111", "email": "t@example.ma", "password": PASSWORD,
            "firstName": "Amina", "lastName": "Alaoui", "role": "CLIENT"}
    for terms in ({}, {"acceptTerms": False}, {"acceptTerms": "yes"}):
        reply = api.post("/auth/signup", {**body, **terms})
        assert reply.status == 422 and "acceptTerms" in reply.body["error"]["message"], reply.body


def test_new_account_is_unverified_and_its_consents_are_recorded_with_version_time_and_ip(api, clock_set):
    body = {"phone": "0611111112", "email": "c@example.ma", "password": PASSWORD,
            "firstName": "Amina", "lastName": "Alaoui", "role": "CLIENT", "marketingOptIn": True}
    _user_id, token = sign_up_verified(api, body, verified=False, source_ip="203.0.113.9")
    assert api.get("/me", token=token).body["phoneVerified"] is False
    records = api.get("/me/consents", token=token).body["items"]
    assert [(r["kind"], r["granted"]) for r in records] == [("MARKETING", True), ("TERMS", True)] \
        or sorted((r["kind"], r["granted"]) for r in records) == [("MARKETING", True), ("TERMS", True)]
    assert all(r["sourceIp"] == "203.0.113.9" and r["termsVersion"] and r["recordedAt"] for r in records)
    # A change is recorded, the history kept
    changed = api.put("/me/consents", {"marketingOptIn": False}, token=token)
    assert changed.status == 200
    assert [r["granted"] for r in changed.body["items"] if r["kind"] == "MARKETING"] == [True, False]
    assert api.put("/me/consents", {"marketingOptIn": "no"}, token=token).status == 422


# ---------------------------------------------------------------- VERIFY_PHONE and the rules
def test_verify_phone_by_code_then_booking_is_allowed(api, clock_set):
    client, pro = unverified(api), make_pro(api)
    body = {"proId": pro.id, "categoryId": "plomberie", "timeSlot": at(26)}
    refused = api.post("/bookings", body, token=client.token)
    assert refused.status == 403 and refused.body["error"]["code"] == "PHONE_NOT_VERIFIED"
    sent = send(api, client.phone, "VERIFY_PHONE", client.token, channel="sms")
    assert sent.status == 202 and sent.body == {"expiresIn": 600}
    message = otp_messages(api)[-1]
    assert message["to"] == "+212" + client.phone[1:] and message["channel"] == "sms"
    assert check(api, client.phone, message["code"], "VERIFY_PHONE", client.token).body == {"phoneVerified": True}
    assert api.get("/me", token=client.token).body["phoneVerified"] is True
    assert api.post("/bookings", body, token=client.token).status == 201


def test_verify_phone_needs_a_token_and_the_callers_own_phone(api, clock_set):
    client, other = unverified(api), unverified(api)
    assert send(api, client.phone, "VERIFY_PHONE").status == 401
    assert send(api, other.phone, "VERIFY_PHONE", client.token).status == 422


def test_a_code_serves_only_its_purpose_and_requester(api, clock_set):
    client = unverified(api)
    send(api, client.phone, "VERIFY_PHONE", client.token)
    code = last_code(api, client.phone)
    # Verify knows no purposes: the same number's code is refused for another purpose
    assert check(api, client.phone, code, "LOGIN").body["error"]["code"] == "INVALID_CODE"
    assert check(api, client.phone, code, "PASSWORD_RESET").status == 401
    assert check(api, client.phone, code, "VERIFY_PHONE", client.token).status == 200
    # and it works once
    assert check(api, client.phone, code, "VERIFY_PHONE", client.token).status == 401


def test_five_wrong_codes_kill_the_code(api, clock_set):
    client = unverified(api)
    send(api, client.phone, "VERIFY_PHONE", client.token)
    code = last_code(api, client.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert check(api, client.phone, wrong, "VERIFY_PHONE", client.token).status == 401
    assert check(api, client.phone, code, "VERIFY_PHONE", client.token).status == 401


def test_expired_code_is_invalid(api, clock_set):
    client = unverified(api)
    send(api, client.phone, "VERIFY_PHONE", client.token)
    code = last_code(api, client.phone)
    set_clock(api, at(0.2), client)
    assert check(api, client.phone, code, "VERIFY_PHONE", client.token).body["error"]["code"] == "INVALID_CODE"


def test_three_sends_per_15_minutes_and_ten_per_day(api, clock_set):
    phone = "0699999999"  # no account: the same answers (no enumeration), nothing sent
    answers = [send(api, phone, "LOGIN").status for _ in range(4)]
    assert answers == [202, 202, 202, 429]
    assert otp_messages(api) == []
    for quarter in (1, 2):  # two more 15-minute windows: 9 sends today
        set_clock(api, at(quarter * 0.25))
        assert [send(api, phone, "PASSWORD_RESET").status for _ in range(3)] == [202] * 3
    set_clock(api, at(0.75))
    assert send(api, phone, "LOGIN").status == 202  # the 10th of the day
    limited = send(api, phone, "LOGIN")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) > 3600


def test_unverified_pro_is_not_listed(api):
    from tests.integration import pro_helpers

    pro_helpers.set_clock(api, pro_helpers.MONDAY_8AM)
    listed_pro, unlisted_pro = pro_helpers.make_pro(501), pro_helpers.make_pro(502)
    pro_helpers.set_attributes(unlisted_pro, phone_verified=False)
    listed = [item["proId"] for item in api.get("/pros?cityId=casablanca&categoryId=plomberie").body["items"]]
    assert listed_pro in listed and unlisted_pro not in listed


def test_unverified_pro_cannot_confirm(api, clock_set):
    pro, client = make_pro(api, verified=False), signup_and_login(api, "CLIENT")
    booking = api.post("/bookings", {"proId": pro.id, "categoryId": "plomberie", "timeSlot": at(26)},
                       token=client.token).body
    reply = api.post(f"/bookings/{booking['id']}/confirm", {"estimatedDuration": "H1"}, token=pro.token)
    assert reply.status == 403 and reply.body["error"]["code"] == "PHONE_NOT_VERIFIED"


def test_no_whatsapp_to_an_unverified_phone_where_messages_leave(api):
    """Checked by the delivery function, whoever queued the message: the unit is skipped, the
    inbox still gets its item."""
    from tests.integration.test_notification_delivery import deliver, make_user, outbox, sent

    user = make_user(verified=False)
    deliver(outbox(user, channels=("WHATSAPP", "INBOX")))
    assert sent("WHATSAPP") == []
    assert len(api.get("/me/notifications", token=_token(user)).body["items"]) == 1


def _token(user):
    from tests.integration.test_notification_delivery import token_for

    return token_for(user)


# ---------------------------------------------------------------- LOGIN, reset, change
def test_login_by_code_for_a_verified_phone(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    assert send(api, client.phone, "LOGIN").status == 202
    reply = check(api, client.phone, last_code(api, client.phone), "LOGIN")
    assert reply.status == 200 and reply.body["user"]["id"] == client.id
    assert {"accessToken", "refreshToken", "expiresIn"} <= set(reply.body)
    stranger = unverified(api)
    send(api, stranger.phone, "LOGIN")
    refused = check(api, stranger.phone, last_code(api, stranger.phone), "LOGIN")
    assert refused.status == 403 and refused.body["error"]["code"] == "PHONE_NOT_VERIFIED"


def test_password_reset_by_code_revokes_every_session_and_works_once(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    session = api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).body
    send(api, client.phone, "PASSWORD_RESET")
    granted = check(api, client.phone, last_code(api, client.phone), "PASSWORD_RESET").body
    assert granted["expiresIn"] == 600 and "accessToken" not in granted
    body = {"resetToken": granted["resetToken"], "newPassword": NEW_PASSWORD}
    assert api.post("/auth/password/reset", body).status == 204
    assert api.post("/auth/password/reset", body).status == 401
    assert api.post("/auth/refresh", {"refreshToken": session["refreshToken"]}).status == 401
    assert api.post("/auth/login", {"login": client.phone, "password": NEW_PASSWORD}).status == 200
    weak = api.post("/auth/password/reset", {"resetToken": "x", "newPassword": "short"})
    assert weak.status == 422


def test_change_password_keeps_the_callers_session_only(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    mine = api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).body
    other = api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).body
    wrong = api.post("/me/password", {"currentPassword": "pasbon12345", "newPassword": NEW_PASSWORD},
                     token=mine["accessToken"])
    assert wrong.status == 401
    assert api.post("/me/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
                    token=mine["accessToken"]).status == 204
    assert api.post("/auth/refresh", {"refreshToken": other["refreshToken"]}).status == 401
    assert api.post("/auth/refresh", {"refreshToken": mine["refreshToken"]}).status == 200


def test_wrong_current_passwords_count_with_the_accounts_failed_logins(api, clock_set):
    client = signup_and_login(api, "CLIENT")
    wrong = {"currentPassword": "pasbon12345", "newPassword": NEW_PASSWORD}
    answers = [api.post("/me/password", wrong, token=client.token).status for _ in range(6)]
    assert answers == [401] * 5 + [429]
    assert api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).status == 429


def test_change_phone_moves_the_number_verified_and_revokes_other_sessions(api, clock_set):
    client, taken = signup_and_login(api, "CLIENT"), signup_and_login(api, "CLIENT")
    mine = api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).body
    other = api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).body
    conflict = send(api, taken.phone, "CHANGE_PHONE", mine["accessToken"])
    assert conflict.status == 409 and conflict.body["error"]["code"] == "ACCOUNT_EXISTS"
    new = "0677777777"
    assert send(api, new, "CHANGE_PHONE", mine["accessToken"]).status == 202
    changed = check(api, new, last_code(api, new), "CHANGE_PHONE", mine["accessToken"])
    assert changed.status == 200, changed.body
    assert changed.body["phone"] == "+212677777777" and changed.body["phoneVerified"] is True
    assert api.post("/auth/refresh", {"refreshToken": other["refreshToken"]}).status == 401
    assert api.post("/auth/refresh", {"refreshToken": mine["refreshToken"]}).status == 200
    assert api.post("/auth/login", {"login": new, "password": PASSWORD}).status == 200
    assert api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).status == 401


# ---------------------------------------------------------------- Twilio Verify, stubbed HTTP
class StubTwilioHttp:
    """twilio's HttpClient interface; answers from a script, records the requests."""

    def __init__(self, *answers):
        self.answers, self.requests = list(answers), []
        self.last_response = None

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        from twilio.http.response import Response

        self.requests.append({"url": url, "data": dict(data or {})})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        self.last_response = Response(status, json.dumps(body))
        return self.last_response


def _verification(channel, status="pending"):
    return {"sid": "VE123", "service_sid": "VA123", "to": "+212611111111", "channel": channel,
            "status": status}


@pytest.fixture
def twilio(monkeypatch):
    from khadamat.adapters import verify

    monkeypatch.setenv("TWILIO_CREDENTIALS", json.dumps(
        {"accountSid": "AC123", "authToken": "secret", "whatsappFrom": "+212500000000",
         "verifyServiceSid": "VA123"}))
    stub = StubTwilioHttp()
    monkeypatch.setattr(verify, "_http_client", lambda: stub)
    return stub


def test_whatsapp_failure_falls_back_to_sms_and_answers_202(api, clock_set, twilio):
    client = unverified(api)
    twilio.answers += [(400, {"code": 60410, "message": "whatsapp not available", "status": 400}),
                       (201, _verification("sms"))]
    reply = send(api, client.phone, "VERIFY_PHONE", client.token)
    assert reply.status == 202
    assert [r["data"]["Channel"] for r in twilio.requests] == ["whatsapp", "sms"]
    assert all(r["url"].endswith("/Services/VA123/Verifications") for r in twilio.requests)
    twilio.answers.append((200, {**_verification("sms", "approved"), "valid": True}))
    assert check(api, client.phone, "123456", "VERIFY_PHONE", client.token).status == 200


def test_twilio_down_still_202_logged_retried_once_by_sms_nothing_half_written(api, clock_set, twilio,
                                                                               monkeypatch):
    from khadamat.dal import otp
    from khadamat.usecases import phone_codes

    logged = []
    for level in ("warning", "error"):
        monkeypatch.setattr(phone_codes.logger, level,
                            lambda message, level=level, **kw: logged.append((level, message, kw.get("extra"))))
    client = unverified(api)
    twilio.answers += [TimeoutError("read timed out"), ConnectionError("refused")]
    reply = send(api, client.phone, "VERIFY_PHONE", client.token)
    assert reply.status == 202 and reply.body == {"expiresIn": 600}
    assert [r["data"]["Channel"] for r in twilio.requests] == ["whatsapp", "sms"]
    # each failed attempt is logged (by channel, never the number), then that no code went out
    assert [(level, (extra or {}).get("channel")) for level, _message, extra in logged] == [
        ("warning", "whatsapp"), ("warning", "sms"), ("error", None)]
    assert client.phone[1:] not in json.dumps([extra for _l, _m, extra in logged])
    with pytest.raises(otp.OtpBindingItem.DoesNotExist):
        otp.OtpBindingItem.get(*otp.binding_key("+212" + client.phone[1:]))
    assert check(api, client.phone, "123456", "VERIFY_PHONE", client.token).status == 401
    assert len(twilio.requests) == 2  # no binding: Twilio is not even asked


def test_twilio_rejects_a_wrong_code_and_an_outage_on_check_is_401_not_500(api, clock_set, twilio):
    client = unverified(api)
    twilio.answers += [(201, _verification("whatsapp")),
                       (200, {**_verification("whatsapp"), "valid": False}),
                       (503, {"code": 20503, "message": "unavailable", "status": 503})]
    send(api, client.phone, "VERIFY_PHONE", client.token)
    assert check(api, client.phone, "111111", "VERIFY_PHONE", client.token).status == 401
    assert check(api, client.phone, "222222", "VERIFY_PHONE", client.token).status == 401
    assert api.get("/me", token=client.token).body["phoneVerified"] is False


def test_verify_phone_flow_through_the_shared_helper(api, clock_set):
    client = unverified(api)
    verify_phone(api, client.phone, client.token)
    assert api.get("/me", token=client.token).body["phoneVerified"] is True
