"""Accounts (SPEC §3) through the real handlers, in-process under moto."""

from __future__ import annotations

import pytest

PASSWORD = "motdepasse1"


def signup(api, phone="0612345678", email="amina@example.ma", role="CLIENT", **extra):
    body = {"phone": phone, "email": email, "password": PASSWORD, "firstName": "Amina",
            "lastName": "Alaoui", "role": role, "acceptTerms": True, **extra}
    return api.post("/auth/signup", body)


def login(api, login="0612345678", password=PASSWORD):
    return api.post("/auth/login", {"login": login, "password": password})


def test_signup_stores_e164_and_logs_in_with_either_phone_form_or_email(api):
    # Given a client signs up with a national number
    created = signup(api)
    assert created.status == 201 and created.body["role"] == "CLIENT"
    # When logging in with the E.164 form, the national form, or the email in capitals
    for form in ("+212612345678", "0612345678", "AMINA@example.ma"):
        reply = login(api, form)
        # Then each works and /me shows the E.164 phone
        assert reply.status == 200, reply.body
        assert reply.body["expiresIn"] == 900
        assert reply.body["user"]["id"] == created.body["userId"]
    me = api.get("/me", token=reply.body["accessToken"])
    assert me.status == 200
    assert me.body["phone"] == "+212612345678"
    assert me.body["lateCancelCount30d"] == 0 and me.body["bookingCooldownUntil"] is None


@pytest.mark.parametrize("change", [{"phone": "+212612345678", "email": "other@example.ma"},
                                    {"phone": "0698765432", "email": "Amina@Example.MA"}])
def test_duplicate_phone_or_email_is_409_account_exists(api, change):
    assert signup(api).status == 201
    reply = signup(api, **change)
    assert reply.status == 409 and reply.body["error"]["code"] == "ACCOUNT_EXISTS"


@pytest.mark.parametrize("field,value,named", [
    ("phone", "0512345678", "phone"), ("phone", "+33612345678", "phone"),
    ("password", "short1", "password"), ("password", "onlyletterslong", "digit"),
    ("password", "1234567890", "letter"), ("role", "ADMIN", "role"),
    ("email", "not-an-email", "email"), ("firstName", "", "firstName"),
])
def test_field_rules_are_422_naming_the_field(api, field, value, named):
    reply = signup(api, **{field: value})
    assert reply.status == 422
    assert reply.body["error"]["code"] == "VALIDATION_ERROR"
    assert named in reply.body["error"]["message"]


def test_pro_needs_a_known_city(api):
    assert signup(api, role="PRO").status == 422
    assert signup(api, role="PRO", cityId="agadir").status == 422
    assert signup(api, role="PRO", cityId="marrakech").status == 201


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "\"text\"", "42"])
def test_malformed_or_non_object_body_is_400(api, raw):
    reply = api.call("POST", "/auth/signup", raw_body=raw)
    assert reply.status == 400 and reply.body["error"]["code"] == "BAD_REQUEST"


def test_wrong_password_then_throttled_after_five_failures_even_with_right_password(api):
    signup(api)
    for _ in range(5):
        reply = login(api, password="wrongpass99")
        assert reply.status == 401 and reply.body["error"]["code"] == "INVALID_CREDENTIALS"
    # the other spelling of the same phone shares the window
    reply = login(api, "+212612345678")
    assert reply.status == 429 and reply.body["error"]["code"] == "RATE_LIMITED"


def test_throttle_window_passes_with_the_clock(api):
    signup(api)
    api.post("/_dev/clock", {"now": "2030-01-01T10:00:00"})
    for _ in range(5):
        login(api, password="wrongpass99")
    assert login(api).status == 429
    api.post("/_dev/clock", {"now": "2030-01-01T10:16:00"})
    assert login(api).status == 200


def test_refresh_logout_and_revocation(api):
    signup(api)
    session = login(api).body
    refreshed = api.post("/auth/refresh", {"refreshToken": session["refreshToken"]})
    assert refreshed.status == 200 and refreshed.body["expiresIn"] == 900
    assert api.get("/me", token=refreshed.body["accessToken"]).status == 200
    assert api.post("/auth/logout", {"refreshToken": session["refreshToken"]}).status == 204
    again = api.post("/auth/refresh", {"refreshToken": session["refreshToken"]})
    assert again.status == 401 and again.body["error"]["code"] == "UNAUTHORIZED"


def test_access_token_expires_after_15_minutes_by_the_clock(api):
    signup(api)
    api.post("/_dev/clock", {"now": "2030-01-01T10:00:00Z"})
    token = login(api).body["accessToken"]
    api.post("/_dev/clock", {"now": "2030-01-01T10:14:00Z"})
    assert api.get("/me", token=token).status == 200
    api.post("/_dev/clock", {"now": "2030-01-01T10:15:01Z"})
    assert api.get("/me", token=token).status == 401


def test_me_without_or_with_a_bad_token_is_401(api):
    assert api.get("/me").status == 401
    assert api.get("/me", token="abc.def.ghi").body["error"]["code"] == "UNAUTHORIZED"


def test_delete_me_then_login_fails_and_phone_is_free_again(api):
    signup(api)
    session = login(api).body
    assert api.delete("/me", token=session["accessToken"]).status == 204
    assert login(api).status == 401
    assert api.get("/me", token=session["accessToken"]).status == 401
    assert api.post("/auth/refresh", {"refreshToken": session["refreshToken"]}).status == 401
    assert signup(api).status == 201


def admin_token(api):
    from infra.local.seed import ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD, seed_admin
    seed_admin()
    return login(api, ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD).body["accessToken"]


def test_ban_blocks_old_tokens_and_login_then_unban_restores(api):
    user_id = signup(api).body["userId"]
    session = login(api).body
    admin = admin_token(api)
    # a client cannot ban
    assert api.post(f"/admin/users/{user_id}/ban", {"reason": "x"},
                    token=session["accessToken"]).body["error"]["code"] == "FORBIDDEN"
    assert api.post(f"/admin/users/{user_id}/ban", {"reason": "fraude"}, token=admin).status == 200
    for reply in (api.get("/me", token=session["accessToken"]), login(api),
                  api.post("/auth/refresh", {"refreshToken": session["refreshToken"]})):
        assert reply.status in (401, 403)
    assert api.get("/me", token=session["accessToken"]).body["error"]["code"] == "ACCOUNT_BANNED"
    assert login(api).body["error"]["code"] == "ACCOUNT_BANNED"
    assert api.post(f"/admin/users/{user_id}/unban", token=admin).status == 200
    assert api.get("/me", token=session["accessToken"]).status == 200


def test_ban_unknown_user_is_404(api):
    reply = api.post("/admin/users/nobody/ban", {"reason": "x"}, token=admin_token(api))
    assert reply.status == 404 and reply.body["error"]["code"] == "NOT_FOUND"


def test_reference_data_and_health(api):
    assert api.get("/health").body == {"status": "ok"}
    cities = api.get("/cities").body["items"]
    assert [c["id"] for c in cities] == ["casablanca", "rabat-sale", "marrakech"]
    categories = {c["id"]: c["name"] for c in api.get("/categories").body["items"]}
    assert categories["electricite"] == "Électricité" and len(categories) == 8


def test_unknown_route_is_404_envelope(api):
    reply = api.get("/nope")
    assert reply.status == 404 and reply.body["error"]["code"] == "NOT_FOUND"


def test_body_that_is_not_utf8_is_400_not_500(api):
    # Given a JSON content type with bytes that are not UTF-8 (API Gateway base64-encodes them)
    route, params = api.gateway.routes.match("POST", "/auth/login")
    from infra.local.gateway import build_http_event
    event = build_http_event("POST", "/auth/login", "", [("content-type", "application/json")],
                             b"s\xef\xbfGn\xff", route.route_key, params)
    # When it reaches a handler, then it is a clean 400 BAD_REQUEST
    status, _headers, body = api.gateway.call_function(route, event)
    assert status == 400 and b"BAD_REQUEST" in body
