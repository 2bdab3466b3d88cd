"""DynamoDB round trips per request, per endpoint, against a budget.

Each route of template.yaml is called once, in-process under moto, with the valid call
the authorization matrix declares for it (tests/integration/test_authorization_matrix.py:
its ``ACCESS`` table and ``World``), as its first allowed owner. The requests counted are
those the embedded AWS receives during that one call, the caller's account read included.

At merge: add the new routes' budgets to ``BUDGETS`` (a route without one is listed as
"no budget"); the call itself comes from the matrix entry.
"""

from __future__ import annotations

import json

from infra.bench.counting import counting
from infra.local.template import Template

# Max DynamoDB requests per call (including the caller's account read on signed-in routes).
BUDGETS: dict[str, int] = {
    "GET /health": 0, "GET /cities": 0, "GET /categories": 0,
    # Accounts and admin: docs/accounts.md "DynamoDB round trips per endpoint" (one line per request).
    # Every /auth/* route pays 1 more for the per-IP limit (SPEC §1: an UpdateItem in the entry
    # layer, before the handler): signup 1+1, login 3+1, refresh (rotation) 2+1, logout 1+1.
    "POST /auth/signup": 2, "POST /auth/login": 4, "POST /auth/refresh": 3, "POST /auth/logout": 2,
    # Ban, DELETE /me, password reset and change sign sessions out in the write they make (the
    # account's session epoch): no Query + BatchWriteItem of refresh tokens (before: 3, 3, 4, 4).
    "GET /me": 1, "DELETE /me": 2,
    "POST /admin/users/{id}/ban": 2, "POST /admin/users/{id}/unban": 2,
    "POST /_dev/clock": 1, "DELETE /_dev/clock": 1, "POST /_dev/jobs/{job}": 1, "GET /_dev/outbox": 1,
    "POST /_dev/pros/{proId}/state": 1, "GET /_dev/stripe/checkout/{sessionId}": 1,
    # local stand-in of Stripe's hosted page: replays 2 signed events through the webhook code
    "POST /_dev/stripe/checkout/{sessionId}/complete": 4,
    # Bookings: docs/bookings.md "round trips per endpoint" (the caller's account read included;
    # /bookings/{id}/… routes read it with the booking in one BatchGetItem). The budgets:
    # create ≤ 3, confirm ≤ 3. Create is caller, pro (its exceptions inside), transaction (the slot
    # lock is a condition of it) = 3. Confirm is 3 (caller+booking, group+client, transaction);
    # SPEC's "may follow just after" auto-declines are a task written in that transaction and run
    # by BookingFollowUpsFunction from the stream: another invocation, not counted here.
    "POST /bookings": 3, "GET /bookings": 3, "GET /bookings/{id}": 2,
    "GET /bookings/{id}/events": 2, "POST /bookings/{id}/confirm": 3,
    "POST /bookings/{id}/decline": 3, "POST /bookings/{id}/complete": 3,
    "POST /bookings/{id}/cancel": 3, "POST /bookings/{id}/review": 2,
    "POST /bookings/{id}/reports": 3,
    # Pros (docs/pros.md "access patterns"); discovery: one Query per listing index (GSI1, GSI2,
    # GSI4), the profiles projected whole: the "≤ 2 + one batch read" = 3 requests.
    "PUT /pro/profile": 2, "PUT /pro/services": 2, "PUT /pro/availability/weekly": 2,
    "GET /pro/availability": 1, "POST /pro/availability/exceptions": 2,
    "DELETE /pro/availability/exceptions/{id}": 2,
    "GET /pros": 3, "GET /pros/{proId}": 1, "GET /pros/{proId}/slots": 2,
    # KYC and reports: docs/kyc-and-reports.md "DynamoDB round trips per endpoint".
    "POST /pro/kyc/documents": 1, "GET /pro/kyc": 1, "POST /pro/kyc/submit": 2,
    "GET /admin/kyc": 2, "GET /admin/kyc/{proId}": 2, "POST /admin/kyc/{proId}/approve": 2,
    "POST /admin/kyc/{proId}/reject": 3,
    "GET /admin/reports": 2, "PATCH /admin/reports/{id}": 2,
    # Payments
    "POST /pro/subscription/checkout": 5, "POST /pro/boosts/checkout": 5,
    "GET /pro/subscription": 2, "POST /pro/subscription/cancel": 3, "POST /webhooks/stripe": 1,
    # Notifications: docs/notifications.md "DynamoDB round trips per endpoint".
    # GET /me/notifications: + 1 BatchGetItem of the other parties (and CONFIRMED messages'
    # bookings) when the page has messages: names and contacts are rendered when read (SPEC §13).
    "GET /me/notifications": 3, "POST /me/notifications/{id}/read": 3, "POST /me/devices": 2,
    "DELETE /me/devices/{token}": 2,
    # Accounts wave 2 (SPEC §15; docs/accounts.md): the otp/send ≤ 3 and otp/verify ≤ 3,
    # the per-IP /auth/* limit's request included. otp/verify counts that hit in its own final
    # transaction (khadamat.api.throttle.DeferredHit); per purpose, tests/integration/
    # test_phone_code_round_trips.py (CHANGE_PHONE's verify: 3, its other sessions signed out in
    # its transaction by the account's session epoch; before: 5).
    # The local Verify stand-in's DEV# items are not counted (Twilio's API stands there in AWS).
    "POST /auth/otp/send": 3, "POST /auth/otp/verify": 3, "POST /auth/password/reset": 3,
    "POST /me/password": 2, "GET /me/consents": 2, "PUT /me/consents": 3,
    # Self-service and privacy (issue 16): docs/privacy.md "DynamoDB round trips per endpoint".
    # GET /me/export grows with the user's own data only: here a client with one booking.
    "PATCH /me": 2, "GET /me/preferences": 1, "PUT /me/preferences": 2, "GET /me/export": 6,
    # Booking changes (issue 20): docs/bookings.md "Reschedule". Propose: caller+booking, the pro's
    # profile (hours, exceptions; none when the pro proposes), one transaction whose condition
    # checks hold the new hours' locks = 3. Accept and decline: caller+booking, one transaction,
    # the other party for the answer = 3. The calendar feed: the token item, one Query of the
    # pro's bookings in the window, one BatchGetItem of the clients' first names = 3.
    "POST /bookings/{id}/reschedule": 3, "POST /bookings/{id}/reschedule/accept": 3,
    "POST /bookings/{id}/reschedule/decline": 3,
    "POST /pro/calendar/token": 2, "GET /pro/calendar.ics": 3,
    # Pro workspace (issue 19, docs/pros.md "Dashboard"): the dashboard is the caller + one Query
    # of its hour items, whatever the history (SPEC budget ≤ 3); reviews: Query + one
    # BatchGetItem of the pro and the page's clients.
    # The CSV export is O(rows exported): caller + per page of 100 bookings, 1 Query + at most
    # 1 BatchGetItem of that page's new clients (here: one page).
    "GET /pro/profile": 1, "GET /pro/dashboard": 2, "GET /pro/bookings.csv": 3,
    "GET /pros/{proId}/reviews": 2, "GET /pros/recommended": 2,
    # photos: caller + one conditional UpdateItem of the profile's `photos` map (S3 not counted)
    "POST /pro/photos": 2, "DELETE /pro/photos/{photoId}": 2, "POST /pro/reviews/{bookingId}/reply": 2,
    # Admin console API and public content (issue 18): docs/admin.md "round trips". Admin writes
    # read their target with the caller (one BatchGetItem), then one transaction with the audit
    # entry. User search: by phone/email 2 (caller + uniqueness item, then the user); by name 2
    # (caller, the name index Query: its items carry the users' summaries, dal.users.write_account;
    # the matrix's call is a name prefix that finds one user). Sitemap: one Query per city ×
    # category listing partition (24) + one per page of articles: O(pages listed).
    "GET /admin/audit": 2, "GET /admin/users": 2, "GET /admin/users/{id}": 4,
    "POST /admin/reviews/{bookingId}/hide": 2, "POST /admin/reviews/{bookingId}/unhide": 2,
    "POST /admin/mfa/enroll": 2, "POST /admin/mfa/confirm": 2, "POST /auth/mfa": 2,
    "POST /_dev/admins": 1,
    "POST /admin/articles": 2, "GET /admin/articles": 2, "GET /admin/articles/{id}": 1,
    "PUT /admin/articles/{id}": 2, "DELETE /admin/articles/{id}": 2,
    "GET /articles": 1, "GET /articles/{slug}": 1, "GET /sitemap.xml": 25,
    # WhatsApp both ways (issue 17, docs/notifications.md "DynamoDB round trips"): the matrix's
    # call is a signed empty form (nothing to act on: 0). A « Confirmer » costs the MessageSid
    # claim 1 + the sender (phone item, user) 2 + the window 1 + the confirm use case 3 + the
    # stored reply 1 = 8 (tests/integration/test_whatsapp_webhooks.py measures it); a status
    # callback 1 (+ the SMS fallback's reads and claim when a confirmation failed).
    "POST /webhooks/twilio/whatsapp": 0, "POST /webhooks/twilio/status": 0,
    "POST /_dev/whatsapp/inbound": 3, "POST /_dev/whatsapp/status": 1,
}
# The matrix calls otp/* with one purpose (PASSWORD_RESET); every purpose's (send, verify)
# budget, measured by tests/integration/test_phone_code_round_trips.py (issue 16 item 7: ≤ 3;
# CHANGE_PHONE's verify signs the other sessions out in its one transaction: the account's
# session epoch, docs/accounts.md "Signing sessions out").
OTP_PURPOSE_BUDGETS: dict[str, tuple[int, int]] = {
    "VERIFY_PHONE": (3, 3), "LOGIN": (3, 3), "PASSWORD_RESET": (3, 3), "CHANGE_PHONE": (3, 3)}
_CALLER_ORDER = ("client", "pro", "admin")


def _caller(rule) -> str:
    from tests.integration.test_authorization_matrix import expected_status

    if rule.who == "public":
        return "anonymous"
    allowed = [name for name in _CALLER_ORDER if expected_status(rule, name) < 400]
    return allowed[0] if allowed else "admin"


def measure(template: Template) -> list[dict]:
    from infra.local.gateway import Gateway
    from infra.local.resources import in_process_aws
    from tests.integration.test_authorization_matrix import (ACCESS, World, hashing_each_password_once,
                                                             request_of)

    rows = []
    routes = sorted(r.route_key for r in template.routes if r.path != "$default")
    for route_key in routes:
        rule = ACCESS.get(route_key)
        if rule is None:
            rows.append({"route": route_key, "requests": None, "note": "no matrix entry"})
            continue
        with in_process_aws(template), hashing_each_password_once():
            gateway = Gateway(template)
            world = World(_InProcess(gateway))
            caller = _caller(rule)
            method, url, body, headers = request_of(world, route_key, rule, caller)
            with counting() as tally:
                status = _InProcess(gateway).call(method, url, body, world.tokens.get(caller),
                                                  headers).status
        rows.append({"route": route_key, "requests": tally.requests, "status": status,
                     "local_only": tally.local_only,
                     "caller": caller, "operations": dict(tally.operations)})
    return rows


def decoded_body(payload, headers: dict):
    """A JSON body as data; any other (text/calendar, CSV, the sitemap's XML) as text."""
    kind = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
    if payload and "json" not in str(kind):
        return payload if isinstance(payload, str) else payload.decode()
    return json.loads(payload) if payload else None


class _Reply:
    def __init__(self, status, body):
        self.status, self.body = status, body


class _InProcess:
    """The same in-process call as tests/integration's `api` fixture."""

    def __init__(self, gateway):
        self.gateway = gateway

    def call(self, method, path, body=None, token=None, headers=None, source_ip="127.0.0.1"):
        from infra.local.gateway import build_http_event

        path, _, query = path.partition("?")
        route, params = self.gateway.routes.match(method, path)
        pairs = [("content-type", "application/json"), *(headers or {}).items()]
        if token:
            pairs.append(("authorization", f"Bearer {token}"))
        data = json.dumps(body) if body is not None else ""
        event = build_http_event(method, path, query, pairs, data.encode(), route.route_key, params,
                                 source_ip)
        status, headers, payload = self.gateway.call_function(route, event)
        return _Reply(status, decoded_body(payload, dict(headers)))

    def post(self, path, body=None, token=None, **kw):
        return self.call("POST", path, body, token, **kw)

    def get(self, path, token=None, **kw):
        return self.call("GET", path, None, token, **kw)


def markdown(rows: list[dict], template: Template) -> list[str]:
    present = {r.route_key for r in template.routes}
    lines = ["## DynamoDB round trips per request", "",
             "One call per route as its first allowed owner, in-process under moto; requests "
             "counted at botocore (what the embedded AWS receives), the caller's account read "
             "included; the local stage's extra read of its shared clock (`DEV#CLOCK`, once per "
             "invocation, absent in AWS) is not counted.", "",
             "| route | caller | status | requests | budget | ratio | operations |",
             "|---|---|---:|---:|---:|---:|---|"]
    for row in rows:
        budget = BUDGETS.get(row["route"])
        if row["requests"] is None:
            lines.append(f"| {row['route']} | | | — | {budget if budget is not None else '—'} | | {row['note']} |")
            continue
        verdict = "no budget" if budget is None else (
            f"{row['requests'] / budget:.2f}" if budget else ("ok" if row["requests"] == 0 else "OVER"))
        if budget is not None and row["requests"] > budget:
            verdict += " OVER"
        operations = ", ".join(f"{name} {n}" for name, n in sorted(row["operations"].items()))
        lines.append(f"| {row['route']} | {row['caller']} | {row['status']} | {row['requests']} | "
                     f"{budget if budget is not None else '—'} | {verdict} | {operations} |")
    missing = sorted(key for key in BUDGETS if key not in present)
    if missing:
        lines += ["", "Budgets of routes not in this build (measured after merge): "
                  + ", ".join(f"`{key}` ≤ {BUDGETS[key]}" for key in missing) + "."]
    return lines
