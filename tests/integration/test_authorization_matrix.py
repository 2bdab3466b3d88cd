"""Authorization matrix: every route of template.yaml × every kind of caller → expected status.

Callers: anonymous, client, other client, pro, other pro, admin, banned (a banned client).
The expected status is derived from the route's entry in ``ACCESS``:

- ``who="public"``: every caller gets ``ok`` (a token, even a banned one's, changes nothing);
- ``who="any"`` (any signed-in account) or a tuple of roles: anonymous → 401, banned →
  403 ACCOUNT_BANNED, a role outside the tuple → 403 FORBIDDEN, an allowed caller → ``ok``;
- ``owners``: the route reads or changes a resource of the world's ``client`` and/or ``pro``
  (e.g. a booking between them). An allowed caller who is neither an owner nor an admin
  (other client, other pro) → 404, as SPEC says: never reveal others' resources.

Every route of template.yaml (but ``$default``) must have an entry: a new route without
one fails ``test_every_template_route_has_an_access_rule`` (and a stale entry fails too).

Extending at merge — add one ``ACCESS`` entry per new route key ("METHOD /path"):

    "POST /bookings/{id}/confirm": Access(who=(PRO,), owners=("pro",),
                                          params=lambda w: {"id": w.make("booking")},
                                          body={"estimatedDuration": "H1"}),

``params``, ``query`` and ``body`` may be callables of the ``World`` (and, for ``body``, of the caller
name): ``World.make(kind)`` builds, once per test, a resource owned by the world's client
and pro using a builder registered in ``BUILDERS`` (write one per resource kind: it gets the
world and returns the path id). Use valid bodies: authentication and roles are checked
before validation anyway (khadamat.api.entry.http_entry), but for an allowed caller a
422 would hide whether ownership was checked. ``ok`` is the status of an allowed owner (an
int, or a dict caller → status when it differs, e.g. a 409 for the second caller of a
one-shot transition); ``fresh=True`` builds a fresh world after each successful call
(destructive routes such as DELETE /me); ``given`` names builders to run before the call
(a state the route needs, e.g. ``("kyc_approved",)`` before a checkout); ``headers`` is a
callable(world, caller, body) of extra headers (Stripe's signature). ``request_of`` gives the
call itself (infra/bench/round_trips.py makes the same call).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any, Callable
from unittest.mock import patch

import pytest

from khadamat import clock, passwords
from khadamat.domain.accounts import Role, UserStatus
from khadamat.security import issue_access_token
from khadamat.usecases.accounts import create_account
from tests.conftest import TEMPLATE

CLIENT, PRO, ADMIN = Role.CLIENT, Role.PRO, Role.ADMIN
CALLERS = ("anonymous", "client", "other_client", "pro", "other_pro", "admin", "banned")
CALLER_ROLE = {"client": CLIENT, "other_client": CLIENT, "pro": PRO, "other_pro": PRO,
               "admin": ADMIN, "banned": CLIENT}
PASSWORD = "motdepasse1"
_numbers = count(100)


@dataclass
class Access:
    who: str | tuple           # "public", "any", or a tuple of roles
    ok: int | dict = 200       # status of an allowed owner (or caller → status)
    owners: tuple = ()         # world callers owning the resource; other allowed callers → 404
    params: Callable | dict = field(default_factory=dict)   # path parameters
    body: Any = None           # dict, or callable(world, caller) → dict
    fresh: bool = False        # a fresh world after each success (destructive routes)
    query: Callable | dict = field(default_factory=dict)    # query string parameters
    headers: Callable | None = None  # callable(world, caller, body) → extra headers
    given: tuple = ()          # BUILDERS kinds made before the call (a state the route needs)


def _unique_phone() -> str:
    return f"06{next(_numbers):08d}"


def _signup_body(_world, _caller) -> dict:
    return {"phone": _unique_phone(), "email": f"new{next(_numbers)}@example.ma",
            "password": PASSWORD, "firstName": "Nadia", "lastName": "Bennani", "role": "CLIENT",
            "acceptTerms": True}


def _now_text() -> str:
    return datetime.now(timezone.utc).isoformat()


def _future_slot(days: int = 2) -> str:
    """An hour-aligned instant `days` after the (test) clock's now."""
    return (clock.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0).isoformat()


def _booking_body(world, _caller) -> dict:
    return {"proId": world.make("offer"), "categoryId": "plomberie", "timeSlot": _future_slot()}


def _exception_body(_world, _caller) -> dict:
    start = clock.now() + timedelta(days=3)
    return {"startAt": start.isoformat(), "endAt": (start + timedelta(hours=4)).isoformat(),
            "reason": "congé"}


_DEVICE_TOKEN = "device-token-0001"
_WEBHOOK_EVENT = {"id": "evt_matrix_1", "type": "customer.created", "created": 1767000000,
                  "data": {"object": {"id": "cus_matrix", "object": "customer"}}}


_STATUS_QUERY = {"m": "message-matrix", "u": "WHATSAPP"}


def _twilio_signature(path: str, query: dict | None = None):
    """X-Twilio-Signature over the public URL and the (empty) form, as Twilio computes it."""
    def headers(_world, _caller, _body) -> dict:
        from urllib.parse import urlencode

        from khadamat.adapters import whatsapp
        from khadamat.usecases import whatsapp_inbound

        url = f"{whatsapp.webhook_base_url()}{path}" + (f"?{urlencode(query)}" if query else "")
        return {"x-twilio-signature": whatsapp_inbound.sign(url, {})}
    return headers


def _stripe_signature(_world, _caller, body) -> dict:
    import json

    import stripe

    from khadamat.adapters import payments as stripe_adapter

    header = stripe.WebhookSignature.generate_signature_header(json.dumps(body),
                                                               stripe_adapter.webhook_secret())
    return {"stripe-signature": header}


_ARTICLE = {"title": "Article matrice", "summary": "Résumé", "bodyMarkdown": "Bonjour",
            "status": "PUBLISHED"}


def _totp_now(world) -> str:
    import pyotp

    return pyotp.TOTP(world.make("mfa_enrolment")).at(clock.now())


def _booking(w):
    return {"id": w.make("booking")}


ACCESS: dict[str, Access] = {
    "GET /health": Access("public"),
    "GET /cities": Access("public"),
    "GET /categories": Access("public"),
    "POST /auth/signup": Access("public", ok=201, body=_signup_body),
    "POST /auth/login": Access("public", body=lambda w, _c: {"login": w.phones["client"],
                                                             "password": PASSWORD}),
    "POST /auth/refresh": Access("public", body=lambda w, _c: {"refreshToken": w.refresh_token()}),
    "POST /auth/logout": Access("public", ok=204, body={"refreshToken": "not-a-real-token"}),
    "GET /me": Access("any"),
    "DELETE /me": Access("any", ok=204, fresh=True),
    "POST /admin/users/{id}/ban": Access((ADMIN,), params=lambda w: {"id": w.ids["target"]},
                                         body={"reason": "fraude"}),
    "POST /admin/users/{id}/unban": Access((ADMIN,), params=lambda w: {"id": w.ids["target"]}),
    # Local-only routes are public on the local stage (404 in any deployed stage).
    "POST /_dev/clock": Access("public", body=lambda _w, _c: {"now": _now_text()}),
    "DELETE /_dev/clock": Access("public"),
    "POST /_dev/jobs/{job}": Access("public", ok=404, params={"job": "no-such-job"}),
    "GET /_dev/outbox": Access("public"),
    "POST /_dev/pros/{proId}/state": Access("public", params=lambda w: {"proId": w.ids["pro"]},
                                            body={"kycStatus": "APPROVED"}),
    "GET /_dev/stripe/checkout/{sessionId}": Access(
        "public", params=lambda w: {"sessionId": w.make("checkout")}),
    # The first call pays the session; later calls replay its (already recorded) events.
    "POST /_dev/stripe/checkout/{sessionId}/complete": Access(
        "public", params=lambda w: {"sessionId": w.make("checkout")}),
    # Bookings (SPEC §6-§7): a booking is seen and changed by its client, its pro and admins only.
    "POST /bookings": Access((CLIENT,), ok=201, body=_booking_body),
    "GET /bookings": Access((CLIENT, PRO), given=("booking",)),
    "GET /bookings/{id}": Access("any", owners=("client", "pro"), params=_booking),
    "GET /bookings/{id}/events": Access("any", owners=("client", "pro"), params=_booking),
    "POST /bookings/{id}/confirm": Access((PRO,), owners=("pro",), params=_booking,
                                          body={"estimatedDuration": "H1"}),
    "POST /bookings/{id}/decline": Access((PRO,), owners=("pro",), params=_booking,
                                          body={"reason": "indisponible"}),
    # The client cancels first: the pro then finds it cancelled already (409).
    "POST /bookings/{id}/cancel": Access((CLIENT, PRO), ok={"client": 200, "pro": 409},
                                         owners=("client", "pro"), params=_booking,
                                         body={"reason": "empêchement"}),
    "POST /bookings/{id}/complete": Access((PRO,), owners=("pro",),
                                           params=lambda w: {"id": w.make("confirmed_past")}),
    "POST /bookings/{id}/review": Access((CLIENT,), ok=201, owners=("client",),
                                         params=lambda w: {"id": w.make("completed")},
                                         body={"rating": 5, "comment": "Très bien"}),
    "POST /bookings/{id}/reports": Access((CLIENT, PRO), ok=201, owners=("client", "pro"),
                                          params=_booking,
                                          body={"title": "Retard", "details": "Arrivé en retard"}),
    # Pros' own settings (SPEC §4-§5) and public discovery.
    "PUT /pro/profile": Access((PRO,), body={"bio": "Plombier depuis 10 ans"}),
    "PUT /pro/services": Access((PRO,), body={"services": [
        {"categoryId": "plomberie", "pricingType": "FIXED", "fixedPriceMad": 200}]}),
    "PUT /pro/availability/weekly": Access((PRO,), body={"days": [
        {"dayOfWeek": 0, "startMin": 540, "endMin": 1080}]}),
    "GET /pro/availability": Access((PRO,)),
    "POST /pro/availability/exceptions": Access((PRO,), ok=201, body=_exception_body),
    "DELETE /pro/availability/exceptions/{id}": Access(
        (PRO,), ok=204, owners=("pro",), params=lambda w: {"id": w.make("exception")}),
    "GET /pros": Access("public", query=lambda w: {"cityId": "casablanca", "categoryId": "plomberie"},
                 given=("offer",)),
    "GET /pros/{proId}": Access("public", params=lambda w: {"proId": w.make("offer")}),
    "GET /pros/{proId}/slots": Access("public", params=lambda w: {"proId": w.make("offer")}),
    # pro workspace (issue 19)
    "GET /pro/profile": Access((PRO,)),
    "GET /pro/dashboard": Access((PRO,), given=("completed",)),
    "GET /pro/bookings.csv": Access((PRO,), given=("booking",),
                                    query={"from": "2026-01-01", "to": "2026-12-31"}),
    "POST /pro/photos": Access((PRO,), ok=201, body={"contentType": "image/jpeg"}),
    "DELETE /pro/photos/{photoId}": Access((PRO,), ok=204, owners=("pro",), fresh=True,
                                           params=lambda w: {"photoId": w.make("photo")}),
    "GET /pros/recommended": Access("public", query={"cityId": "casablanca", "categoryId": "plomberie"}),
    "GET /pros/{proId}/reviews": Access("public", params=lambda w: {"proId": w.make("offer")}),
    "POST /pro/reviews/{bookingId}/reply": Access((PRO,), ok=201, owners=("pro",),
                                                  params=lambda w: {"bookingId": w.make("reviewed")},
                                                  body={"text": "Merci pour votre confiance"}),
    # KYC (SPEC §9): the pro's own documents; admins review.
    "POST /pro/kyc/documents": Access((PRO,), ok=201,
                                      body={"docType": "CIN_FRONT", "contentType": "image/jpeg"}),
    "GET /pro/kyc": Access((PRO,)),
    "POST /pro/kyc/submit": Access((PRO,), given=("kyc_documents",)),
    "GET /admin/kyc": Access((ADMIN,)),
    "GET /admin/kyc/{proId}": Access((ADMIN,), params=lambda w: {"proId": w.ids["pro"]}),
    "POST /admin/kyc/{proId}/approve": Access((ADMIN,),
                                              params=lambda w: {"proId": w.make("kyc_pending")}),
    "POST /admin/kyc/{proId}/reject": Access((ADMIN,),
                                             params=lambda w: {"proId": w.make("kyc_pending")},
                                             body={"reason": "Photo illisible"}),
    # Reports (SPEC §8): admins triage.
    "GET /admin/reports": Access((ADMIN,)),
    "PATCH /admin/reports/{id}": Access((ADMIN,), params=lambda w: {"id": w.make("report")},
                                        body={"status": "IN_REVIEW"}),
    # Payments (SPEC §12): a pro's own subscription; Stripe's webhook is signed, not signed-in.
    "POST /pro/subscription/checkout": Access(
        (PRO,), ok=201, given=("kyc_approved",),
        body={"plan": "PREMIUM_MONTHLY_NO_COMMIT"}),
    "POST /pro/boosts/checkout": Access(
        (PRO,), ok=201, given=("kyc_approved",),
        body={"categoryId": "plomberie"}),
    "GET /pro/subscription": Access((PRO,)),
    "POST /pro/subscription/cancel": Access((PRO,), owners=("pro",),
                                            given=("premium",)),
    "POST /webhooks/stripe": Access("public", body=_WEBHOOK_EVENT, headers=_stripe_signature),
    # WhatsApp both ways (issue 17, SPEC §16): Twilio's signed webhooks (an empty signed form:
    # nothing to act on), the local Twilio stand-in's triggers
    "POST /webhooks/twilio/whatsapp": Access("public", headers=_twilio_signature("/webhooks/twilio/whatsapp")),
    "POST /webhooks/twilio/status": Access("public", query=_STATUS_QUERY,
                                           headers=_twilio_signature("/webhooks/twilio/status", _STATUS_QUERY)),
    "POST /_dev/whatsapp/inbound": Access("public", body={"from": "+212600000999", "body": "Bonjour"}),
    "POST /_dev/whatsapp/status": Access("public", ok=404, body={"messageSid": "SMunknown", "status": "sent"}),
    # Notifications (SPEC §10): each account's own inbox and devices.
    "GET /me/notifications": Access("any"),
    "POST /me/notifications/{id}/read": Access(
        "any", ok={"client": 204, "admin": 404}, owners=("client",),
        params=lambda w: {"id": w.make("notification")}),
    "POST /me/devices": Access("any", ok=201,
                               body={"platform": "ANDROID", "token": _DEVICE_TOKEN}),
    "DELETE /me/devices/{token}": Access(
        "any", ok={"client": 204, "admin": 404}, owners=("client",),
        params=lambda w: {"token": w.make("device")}),
    # Accounts wave 2 (SPEC §15, area: accounts). The code routes are public: the signed-in
    # purposes (VERIFY_PHONE, CHANGE_PHONE) are tested in tests/integration/test_phone_codes.py.
    "POST /auth/otp/send": Access("public", ok=202, body=lambda w, c: {
        "phone": w.phones.get(c, w.phones["target"]), "purpose": "PASSWORD_RESET"}),
    "POST /auth/otp/verify": Access("public", body=lambda w, c: _reset_code_body(w, c)),
    "POST /auth/password/reset": Access("public", ok=204, body=lambda w, c: {
        "resetToken": _reset_token(w, c), "newPassword": "nouveau-mdp-2026"}),
    "POST /me/password": Access("any", ok=204, fresh=True, body={
        "currentPassword": PASSWORD, "newPassword": "nouveau-mdp-2026"}),
    "GET /me/consents": Access("any"),
    "PUT /me/consents": Access("any", body={"marketingOptIn": True}),
    # Self-service and privacy (SPEC §15, issue 16 — helper privacy): the caller's own account.
    "PATCH /me": Access("any", body=lambda _w, caller: {
        "firstName": "Samira", "email": f"{caller}.{next(_numbers)}@example.ma"}),
    "GET /me/preferences": Access("any"),
    "PUT /me/preferences": Access("any", body={"whatsapp": True, "push": False, "sms": True}),
    "GET /me/export": Access("any", given=("booking",)),
    # Booking changes (issue 20, SPEC §19). The client proposes first: the pro then finds a
    # proposal waiting (409 PROPOSAL_PENDING); the author may not accept its own proposal (403),
    # the pro accepts it; the client withdraws it, after which the pro has nothing to decline.
    "POST /bookings/{id}/reschedule": Access((CLIENT, PRO), ok={"client": 201, "pro": 409},
                                             owners=("client", "pro"),
                                             params=lambda w: {"id": w.make("confirmed")},
                                             body=lambda _w, _c: {"timeSlot": _future_slot(3)}),
    "POST /bookings/{id}/reschedule/accept": Access((CLIENT, PRO), ok={"client": 403, "pro": 200},
                                                    owners=("client", "pro"),
                                                    params=lambda w: {"id": w.make("proposal")}),
    "POST /bookings/{id}/reschedule/decline": Access((CLIENT, PRO), ok={"client": 200, "pro": 409},
                                                     owners=("client", "pro"),
                                                     params=lambda w: {"id": w.make("proposal")}),
    "POST /pro/calendar/token": Access((PRO,)),
    # public: the feed's secret token is the credential (calendar apps send no Authorization)
    "GET /pro/calendar.ics": Access("public", query=lambda w: {"token": w.make("calendar_token")}),
    # Admin console API and public content (issue 18, SPEC §17, §20).
    "GET /admin/audit": Access((ADMIN,), query=lambda w: {"targetId": w.ids["target"]}),
    "GET /admin/users": Access((ADMIN,), query={"query": "Targ"}),
    "GET /admin/users/{id}": Access((ADMIN,), params=lambda w: {"id": w.ids["target"]}),
    "POST /admin/reviews/{bookingId}/hide": Access(
        (ADMIN,), ok=204, params=lambda w: {"bookingId": w.make("review")}, body={"reason": "insultes"}),
    "POST /admin/reviews/{bookingId}/unhide": Access(
        (ADMIN,), ok=204, params=lambda w: {"bookingId": w.make("review")}),
    "POST /admin/mfa/enroll": Access((ADMIN,)),
    "POST /admin/mfa/confirm": Access((ADMIN,), ok=204, given=("mfa_enrolment",),
                                      body=lambda w, _c: {"code": _totp_now(w)}),
    # a forged mfaToken: 401 whoever asks (the real step is tested in test_admin_console_api.py)
    "POST /auth/mfa": Access("public", ok=401, body={"mfaToken": "forged", "code": "123456"}),
    "POST /_dev/admins": Access("public", ok=201, body=lambda _w, _c: {
        "email": f"admin{next(_numbers)}@example.ma", "password": PASSWORD}),
    "POST /admin/articles": Access((ADMIN,), ok=201, body=lambda _w, _c: {
        **_ARTICLE, "title": f"Article {next(_numbers)}"}),
    "GET /admin/articles": Access((ADMIN,)),
    "GET /admin/articles/{id}": Access((ADMIN,), params=lambda w: {"id": w.make("article")}),
    "PUT /admin/articles/{id}": Access((ADMIN,), params=lambda w: {"id": w.make("article")},
                                       body=_ARTICLE),
    "DELETE /admin/articles/{id}": Access((ADMIN,), ok=204, params=lambda w: {"id": w.make("article")}),
    "GET /articles": Access("public"),
    "GET /articles/{slug}": Access("public", given=("article",), params={"slug": "article-matrice"}),
    "GET /sitemap.xml": Access("public", given=("article",)),
}


def _reset_code_body(world, caller) -> dict:
    """A PASSWORD_RESET code of the caller's phone (the target's for anonymous), sent through
    the use case and read from the local Verify stand-in's outbox."""
    from khadamat.dal import dev
    from khadamat.usecases import phone_codes

    phone = world.phones.get(caller, world.phones["target"])
    phone_codes.send(phone=phone, purpose="PASSWORD_RESET", channel=None, caller=None, now=clock.now())
    e164 = "+212" + phone.removeprefix("0")
    code = [m["code"] for m in dev.list_sent() if m.get("type") == "OTP" and m["to"] == e164][-1]
    return {"phone": phone, "code": code, "purpose": "PASSWORD_RESET"}


def _reset_token(world, caller) -> str:
    from khadamat import security
    from khadamat.dal import otp

    token = f"reset-{next(_numbers)}"
    otp.reset_item(security.hash_token(token), world.ids.get(caller, world.ids["target"]),
                   clock.now() + timedelta(minutes=10)).save()
    return token

# Builders of resources owned by the world's client and pro: kind → callable(world) → id.
BUILDERS: dict[str, Callable[["World"], str]] = {}


def _user(world: "World", name: str):
    from khadamat.dal import users

    return users.get_user(world.ids[name])


def _build_offer(world: "World") -> str:
    """The world's pro offers plomberie every hour of the week, through the pros use cases (so
    it is listed in discovery too); returns the pro's id."""
    from khadamat.usecases import pros
    from tests.integration.booking_helpers import ALL_WEEK

    services = [{"category_id": "plomberie", "pricing_type": "RANGE", "min_price_mad": 100,
                 "max_price_mad": 300, "fixed_price_mad": None}]
    pros.replace_services(_user(world, "pro"), services, clock.now())
    pros.replace_weekly_hours(_user(world, "pro"), ALL_WEEK, clock.now())
    return world.ids["pro"]


def _build_booking(world: "World") -> str:
    """A PENDING booking of the world's client with the world's pro, through the API."""
    reply = world.api.post("/bookings", _booking_body(world, "client"), token=world.tokens["client"])
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _stored_booking(world: "World", status: str, **fields) -> str:
    """A booking two hours old, written in `status` through the bookings DAL."""
    import uuid

    from khadamat.dal import bookings as store
    from khadamat.domain.timeutil import to_storage

    now = clock.now()
    slot = (now - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    booking = store.new_booking(booking_id=str(uuid.uuid4()), client_id=world.ids["client"],
                                pro_id=world.make("offer"), city_id="casablanca",
                                category_id="plomberie", time_slot=slot,
                                expires_at=slot - timedelta(hours=1), now=slot - timedelta(days=1))
    booking.status = status
    booking.GSI3PK = booking.GSI3SK = None
    for name, value in {"confirmed_at": to_storage(slot - timedelta(hours=20)),
                        "estimated_duration": "H1", **fields}.items():
        setattr(booking, name, value)
    booking.save()
    return booking.booking_id


def _build_confirmed_past(world: "World") -> str:
    return _stored_booking(world, "CONFIRMED")


def _build_completed(world: "World") -> str:
    from khadamat.domain.timeutil import to_storage

    return _stored_booking(world, "COMPLETED", completed_at=to_storage(clock.now()))


def _build_exception(world: "World") -> str:
    from khadamat.usecases import pros

    body = _exception_body(world, "pro")
    return pros.create_exception(_user(world, "pro"), body["startAt"], body["endAt"], None,
                                 clock.now())["id"]


def _upload_kyc_documents(world: "World", name: str) -> None:
    """Each document uploaded with an upload form of its own (the key the form names)."""
    import boto3

    from khadamat import config
    from khadamat.domain.kyc import DOCUMENT_TYPES
    from khadamat.usecases import kyc

    s3 = boto3.client("s3", region_name=config.region())
    for doc in DOCUMENT_TYPES:
        key = kyc.upload_url(_user(world, name), doc, "image/jpeg", clock.now())["fields"]["key"]
        s3.put_object(Bucket=config.kyc_bucket(), Key=key, Body=b"scan", ContentType="image/jpeg")


def _build_kyc_documents(world: "World") -> str:
    """Both pros uploaded their three documents (each may submit its own)."""
    for name in ("pro", "other_pro"):
        _upload_kyc_documents(world, name)
    return world.ids["pro"]


def _build_kyc_pending(world: "World") -> str:
    from khadamat.usecases import kyc

    _upload_kyc_documents(world, "pro")
    kyc.submit(_user(world, "pro"), clock.now())
    return world.ids["pro"]


def _build_kyc_approved(world: "World") -> str:
    """Both pros are KYC-approved and offer plomberie (what checkouts need)."""
    from khadamat.dal.users import UserItem, user_key
    from tests.integration.booking_helpers import set_pro_offer

    for name in ("pro", "other_pro"):
        set_pro_offer(world.ids[name])
        UserItem(*user_key(world.ids[name])).update(actions=[UserItem.kyc_status.set("APPROVED")])
    return world.ids["pro"]


def _build_checkout(world: "World") -> str:
    from khadamat.usecases import payments

    world.make("kyc_approved")
    return payments.start_premium_checkout(_user(world, "pro"), "PREMIUM_MONTHLY_NO_COMMIT",
                                           clock.now())["sessionId"]


def _build_premium(world: "World") -> str:
    from khadamat.usecases import payments_dev

    payments_dev.complete_local_checkout(world.make("checkout"), clock.now())
    return world.ids["pro"]


def _build_report(world: "World") -> str:
    from khadamat.usecases import reports

    return reports.create(_user(world, "client"), world.make("booking"), "Retard", "Arrivé en retard",
                          [], clock.now())["id"]


def _build_notification(world: "World") -> str:
    """An inbox item of the world's client, written as delivery writes it."""
    from khadamat.dal.outbox import new_outbox_item
    from khadamat.domain.timeutil import to_storage

    message = new_outbox_item(type="BOOKING_CONFIRMED", recipient_id=world.ids["client"],
                              recipient_role="CLIENT", channels=["INBOX"], booking_id=None,
                              title="Réservation confirmée", body="Votre réservation est confirmée",
                              created_at=to_storage(clock.now()))
    message.save()  # the booking transition's put: the notification is the inbox item
    return message.message_id


def _build_device(world: "World") -> str:
    from khadamat.usecases import notifications

    notifications.register_device(_user(world, "client"), platform="ANDROID", token=_DEVICE_TOKEN,
                                  now=clock.now())
    return _DEVICE_TOKEN


def _build_confirmed(world: "World") -> str:
    """A future CONFIRMED booking of the world's client with the world's pro, through the API."""
    booking_id = world.make("booking")
    reply = world.api.post(f"/bookings/{booking_id}/confirm", {}, token=world.tokens["pro"])
    assert reply.status == 200, reply.body
    return booking_id


def _build_proposal(world: "World") -> str:
    """The confirmed booking, with the client's proposal to move it a day later."""
    booking_id = world.make("confirmed")
    reply = world.api.post(f"/bookings/{booking_id}/reschedule", {"timeSlot": _future_slot(3)},
                           token=world.tokens["client"])
    assert reply.status == 201, reply.body
    return booking_id


def _build_calendar_token(world: "World") -> str:
    from urllib.parse import parse_qs, urlsplit

    reply = world.api.post("/pro/calendar/token", token=world.tokens["pro"])
    assert reply.status == 200, reply.body
    return parse_qs(urlsplit(reply.body["url"]).query)["token"][0]


BUILDERS.update({  # issue 20
    "confirmed": _build_confirmed, "proposal": _build_proposal, "calendar_token": _build_calendar_token,
})
def _build_review(world: "World") -> str:
    """A review of the world's client on a COMPLETED booking (issue 18: moderation)."""
    from khadamat.dal.bookings import ReviewItem, booking_pk
    from khadamat.domain.timeutil import to_storage

    booking_id = world.make("completed")
    ReviewItem(booking_pk(booking_id), "REVIEW", booking_id=booking_id, client_id=world.ids["client"],
               pro_id=world.ids["pro"], rating=4, comment="Bien", created_at=to_storage(clock.now())).save()
    return booking_id


def _build_mfa_enrolment(world: "World") -> str:
    """The world's admin started a TOTP enrolment; answers the secret."""
    from khadamat.usecases import mfa

    return mfa.enroll(_user(world, "admin"), clock.now())["secret"]


def _build_article(world: "World") -> str:
    """A published article « Article matrice » (slug article-matrice)."""
    from khadamat.usecases import articles

    fields = {"title": _ARTICLE["title"], "summary": "Résumé", "body_markdown": "Bonjour",
              "status": "PUBLISHED"}
    return articles.create(world.ids["admin"], fields, clock.now())["id"]


BUILDERS.update({"review": _build_review, "mfa_enrolment": _build_mfa_enrolment,
                 "article": _build_article})
BUILDERS.update({
    "offer": _build_offer, "booking": _build_booking, "confirmed_past": _build_confirmed_past,
    "completed": _build_completed, "exception": _build_exception,
    "kyc_documents": _build_kyc_documents, "kyc_pending": _build_kyc_pending,
    "kyc_approved": _build_kyc_approved, "checkout": _build_checkout, "premium": _build_premium,
    "report": _build_report, "notification": _build_notification, "device": _build_device,
})


# ---- pro workspace (issue 19)
def _build_reviewed(world: "World") -> str:
    """A COMPLETED booking of the world's client with the world's pro, reviewed by the client."""
    from khadamat.dal.bookings import BookingRef
    from khadamat.usecases import booking_transitions

    booking_id = world.make("completed")
    booking_transitions.review(caller=_user(world, "client"), booking=BookingRef(booking_id), rating=5,
                               comment="Top", now=clock.now())
    return booking_id


def _build_photo(world: "World") -> str:
    """An upload slot of the world's pro (a photo record, PENDING)."""
    from khadamat.usecases import photos

    return photos.start_upload(_user(world, "pro"), "image/jpeg", clock.now())["id"]


BUILDERS.update({"reviewed": _build_reviewed, "photo": _build_photo})


class World:
    """One account per caller kind (and a `target` client for admin actions), with tokens."""

    def __init__(self, api):
        self.api = api
        self.ids: dict[str, str] = {}
        self.phones: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self._made: dict[str, str] = {}
        now = clock.now()
        for name in (*CALLER_ROLE, "target"):
            role = CALLER_ROLE.get(name, CLIENT)
            if role == ADMIN:
                role_kw = {"role": ADMIN, "city_id": None}
            else:
                role_kw = {"role": role, "city_id": "casablanca" if role == PRO else None}
            phone = _unique_phone()
            user = create_account(phone=phone, email=f"{name}{next(_numbers)}@example.ma",
                                  password=PASSWORD, first_name=name.replace("_", " ").title(), last_name="Test",
                                  whatsapp=None, now=now, phone_verified=True, **role_kw)
            self.ids[name], self.phones[name] = user.user_id, phone
            self.tokens[name] = issue_access_token(user.user_id, user.role, now)
        self._ban("banned")

    def _ban(self, name: str) -> None:
        from khadamat.dal import users

        users.set_status(users.get_user(self.ids[name]), UserStatus.BANNED, clock.now())

    def refresh_token(self) -> str:
        reply = self.api.post("/auth/login", {"login": self.phones["client"], "password": PASSWORD})
        return reply.body["refreshToken"]

    def make(self, kind: str) -> str:
        if kind not in self._made:
            self._made[kind] = BUILDERS[kind](self)
        return self._made[kind]


def expected_status(rule: Access, caller: str) -> int:
    ok = rule.ok.get(caller, 200) if isinstance(rule.ok, dict) else rule.ok
    if rule.who == "public":
        return ok
    if caller == "anonymous":
        return 401
    if caller == "banned":
        return 403
    if rule.who != "any" and CALLER_ROLE[caller] not in rule.who:
        return 403
    if rule.owners and caller != "admin" and caller not in rule.owners:
        return 404
    return ok


def request_of(world: World, route_key: str, rule: Access, caller: str):
    """(method, path with query, body, extra headers) of the matrix's valid call."""
    from urllib.parse import urlencode

    for kind in rule.given:
        world.make(kind)
    method, path = route_key.split(" ", 1)
    params = rule.params(world) if callable(rule.params) else rule.params
    body = rule.body(world, caller) if callable(rule.body) else rule.body
    query = rule.query(world) if callable(rule.query) else rule.query
    headers = rule.headers(world, caller, body) if rule.headers else None
    url = path.format(**params) + (f"?{urlencode(query)}" if query else "")
    return method, url, body, headers


def _call(api, world: World, route_key: str, rule: Access, caller: str):
    method, url, body, headers = request_of(world, route_key, rule, caller)
    return api.call(method, url, body, token=world.tokens.get(caller), headers=headers)


@contextmanager
def hashing_each_password_once():
    """The matrix makes many accounts with one password: Argon2 it once, not per account."""
    real, hashes = passwords.hash_password, {}
    with patch.object(passwords, "hash_password",
                      lambda password: hashes.get(password) or hashes.setdefault(password, real(password))):
        yield


@pytest.fixture(autouse=True)
def hash_each_password_once():
    with hashing_each_password_once():
        yield


def test_every_template_route_has_an_access_rule():
    # Given the routes of template.yaml, then the matrix covers exactly them
    routes = {route.route_key for route in TEMPLATE.routes if route.path != "$default"}
    assert sorted(routes - ACCESS.keys()) == [], "add these routes to ACCESS"
    assert sorted(ACCESS.keys() - routes) == [], "these ACCESS entries are not routes any more"


@pytest.mark.parametrize("route_key", sorted(ACCESS))
def test_route_answers_each_caller_as_the_matrix_says(api, route_key):
    rule = ACCESS[route_key]
    world = World(api)
    seen = {}
    # Admin last: its actions (ban, unban) must not change what the others see.
    for caller in sorted(CALLERS, key=lambda name: name == "admin"):
        # When each kind of caller calls the route with a valid body
        reply = _call(api, world, route_key, rule, caller)
        if rule.fresh and reply.status < 300:
            world = World(api)  # the call changed the world (e.g. deleted the caller)
        seen[caller] = (reply.status, (reply.body or {}).get("error", {}).get("code")
                        if isinstance(reply.body, dict) else None)
    # Then each gets the status of the matrix, and denials carry the SPEC's codes
    wanted = {caller: expected_status(rule, caller) for caller in CALLERS}
    assert {caller: status for caller, (status, _code) in seen.items()} == wanted, seen
    if rule.who != "public":
        assert seen["anonymous"][1] == "UNAUTHORIZED"
        assert seen["banned"][1] == "ACCOUNT_BANNED"
        assert all(code == "FORBIDDEN" for caller, (status, code) in seen.items()
                   if status == 403 and caller != "banned")
        assert all(code in ("NOT_FOUND", "PRO_NOT_FOUND") for status, code in seen.values()
                   if status == 404)
