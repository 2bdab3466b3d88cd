"""Steps of the product's main journeys over HTTP, shared by the end-to-end tests."""

from __future__ import annotations

import random

PASSWORD = "motdepasse1"
ADMIN_LOGIN = {"login": "admin@khadamat.local", "password": "Admin-Local-2026"}
KYC_DOCUMENTS = ("CIN_FRONT", "CIN_BACK", "SELFIE")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def sign_up(stack, http, role: str, city_id: str | None = None, first_name: str = "Sara",
            verified: bool = True) -> tuple[str, dict]:
    """A new account and its auth headers."""
    tag = random.randrange(10**7)
    body = {"phone": f"066{tag:07d}", "email": f"{role.lower()}{tag}@example.ma",
            "password": PASSWORD, "firstName": first_name, "lastName": "Idrissi", "role": role}
    if city_id:
        body["cityId"] = city_id
    return register(stack, http, body, verified)


def register(stack, http, body: dict, verified: bool = True) -> tuple[str, dict]:
    """THE way e2e tests make an account, as a person would: signup (terms accepted), login,
    and (unless ``verified=False``) the phone proven by the code read from /_dev/outbox."""
    created = http.post(f"{stack}/auth/signup", json={"acceptTerms": True, **body}, timeout=10)
    assert created.status_code == 201, created.text
    headers = log_in(stack, http, body["email"])
    if verified:
        verify_phone(stack, http, body["phone"], headers)
    return created.json()["userId"], headers


def last_code(stack, http, phone: str) -> str:
    """The latest code the local Verify stand-in sent to ``phone`` (GET /_dev/outbox)."""
    e164 = phone if phone.startswith("+") else "+212" + phone[1:]
    items = http.get(f"{stack}/_dev/outbox", timeout=10).json()["items"]
    codes = [m["code"] for m in items if m.get("type") == "OTP" and m["to"] == e164]
    assert codes, f"no code sent to {e164}"
    return codes[-1]


def verify_phone(stack, http, phone: str, headers: dict) -> None:
    sent = http.post(f"{stack}/auth/otp/send", json={"phone": phone, "purpose": "VERIFY_PHONE"},
                     headers=headers, timeout=10)
    assert sent.status_code == 202, sent.text
    checked = http.post(f"{stack}/auth/otp/verify", headers=headers, timeout=10, json={
        "phone": phone, "purpose": "VERIFY_PHONE", "code": last_code(stack, http, phone)})
    assert checked.status_code == 200, checked.text


def log_in(stack, http, login: str, password: str = PASSWORD) -> dict:
    reply = http.post(f"{stack}/auth/login", json={"login": login, "password": password}, timeout=10)
    assert reply.status_code == 200, reply.text
    return bearer(reply.json()["accessToken"])


def admin(stack, http) -> dict:
    return log_in(stack, http, ADMIN_LOGIN["login"], ADMIN_LOGIN["password"])


def offer(stack, http, headers: dict, *category_ids: str, expect: int = 200):
    services = [{"categoryId": c, "pricingType": "RANGE", "minPriceMad": 150, "maxPriceMad": 400}
                for c in category_ids]
    reply = http.put(f"{stack}/pro/services", json={"services": services}, headers=headers,
                     timeout=10)
    assert reply.status_code == expect, reply.text
    return reply


def open_every_day(stack, http, headers: dict, start_hour: int = 8, end_hour: int = 20):
    days = [{"dayOfWeek": d, "startMin": start_hour * 60, "endMin": end_hour * 60}
            for d in range(7)]
    reply = http.put(f"{stack}/pro/availability/weekly", json={"days": days}, headers=headers,
                     timeout=10)
    assert reply.status_code == 200, reply.text


def approve_kyc(stack, http, pro_id: str, headers: dict) -> None:
    """Upload the three documents through their presigned POSTs, submit, admin approves."""
    for doc in KYC_DOCUMENTS:
        presigned = http.post(f"{stack}/pro/kyc/documents",
                              json={"docType": doc, "contentType": "image/jpeg"},
                              headers=headers, timeout=10).json()
        uploaded = http.post(presigned["url"], data=presigned["fields"],
                             files={"file": ("scan.jpg", b"\xff\xd8 " + doc.encode(), "image/jpeg")},
                             timeout=60)
        assert uploaded.status_code == 204, uploaded.text
    assert http.post(f"{stack}/pro/kyc/submit", headers=headers, timeout=10).status_code == 200
    approved = http.post(f"{stack}/admin/kyc/{pro_id}/approve", headers=admin(stack, http),
                         timeout=10)
    assert approved.status_code == 200, approved.text


def pay_checkout(stack, http, path: str, body: dict, headers: dict) -> dict:
    """Start a checkout and complete it in the local Stripe stand-in (signed webhook)."""
    started = http.post(f"{stack}{path}", json=body, headers=headers, timeout=10)
    assert started.status_code == 201, started.text
    checkout = started.json()
    done = http.post(f"{stack}/_dev/stripe/checkout/{checkout['sessionId']}/complete", timeout=10)
    assert done.status_code == 200, done.text
    return checkout


def set_clock(stack, http, now: str) -> None:
    assert http.post(f"{stack}/_dev/clock", json={"now": now}, timeout=10).status_code == 200


def reset_clock(stack, http) -> None:
    http.delete(f"{stack}/_dev/clock", timeout=10)
