"""The README's try-it session, over HTTP against the local stack."""

import uuid


def unique_phone() -> str:
    return f"066{uuid.uuid4().int % 10**7:07d}"


def test_signup_login_me_refresh_logout_over_http(stack, http):
    phone = unique_phone()
    email = f"{uuid.uuid4().hex[:8]}@example.ma"
    created = http.post(f"{stack}/auth/signup", json={
        "phone": phone, "email": email, "password": "motdepasse1", "firstName": "Youssef",
        "lastName": "Benali", "role": "CLIENT", "acceptTerms": True})
    assert created.status_code == 201, created.text
    session = http.post(f"{stack}/auth/login", json={"login": phone, "password": "motdepasse1"})
    assert session.status_code == 200
    tokens = session.json()
    me = http.get(f"{stack}/me", headers={"Authorization": f"Bearer {tokens['accessToken']}"})
    assert me.status_code == 200
    assert me.json()["phone"] == "+212" + phone[1:]
    assert http.post(f"{stack}/auth/refresh",
                     json={"refreshToken": tokens["refreshToken"]}).status_code == 200
    assert http.post(f"{stack}/auth/logout",
                     json={"refreshToken": tokens["refreshToken"]}).status_code == 204
    assert http.post(f"{stack}/auth/refresh",
                     json={"refreshToken": tokens["refreshToken"]}).status_code == 401


def test_seeded_admin_can_log_in(stack, http):
    reply = http.post(f"{stack}/auth/login",
                      json={"login": "admin@khadamat.local", "password": "Admin-Local-2026"})
    assert reply.status_code == 200 and reply.json()["user"]["role"] == "ADMIN"


def test_malformed_json_is_a_clean_400_without_stack_trace(stack, http):
    reply = http.post(f"{stack}/auth/signup", data="{oops",
                      headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "BAD_REQUEST"
    assert "Traceback" not in reply.text


def test_dev_clock_is_shared_and_resettable(stack, http):
    set_reply = http.post(f"{stack}/_dev/clock", json={"now": "2026-12-01T10:00:00"})
    assert set_reply.status_code == 200
    assert set_reply.json()["now"].startswith("2026-12-01T10:00")
    assert set_reply.json()["now"].endswith("+00:00")
    reset = http.delete(f"{stack}/_dev/clock")
    assert reset.status_code == 200 and not reset.json()["now"].startswith("2026-12-01T10:00")


def test_dev_jobs_unknown_is_404(stack, http):
    reply = http.post(f"{stack}/_dev/jobs/no-such-job")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "NOT_FOUND"
