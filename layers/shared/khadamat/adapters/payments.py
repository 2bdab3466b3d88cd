"""Stripe: Checkout Sessions, subscription cancel, webhook verification (SPEC §12).

Two implementations of one interface, `PaymentsGateway` (a typing.Protocol):
`StripePayments` calls Stripe through the official SDK (deployed stages; API key from
Secrets Manager), `LocalStripe` is the local stage's stand-in (no network): it keeps
its sessions in the table (khadamat.dal.dev) and, on `POST /_dev/stripe/checkout/{id}/complete`, builds
the events Stripe would send and signs them with Stripe's own scheme.

Webhooks are verified by `verify_webhook` (stripe.Webhook.construct_event) on every
stage: the stand-in's events go through exactly the same verification and handling.
`stripe` is imported lazily: importing it costs ~270 ms, paid only by the functions
that use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol

from khadamat import config
from khadamat.dal import dev as local_records
from khadamat.domain.errors import BadRequest, DomainError, NotFound
from khadamat.domain.pricing import INTRO_DISCOUNT_MAD, add_calendar_months, to_centimes
from khadamat.observability import logger

CURRENCY = "mad"
INTRO_COUPON_ID = "KHADAMAT_INTRO_50_MAD"
LOCAL_WEBHOOK_SECRET = "whsec_khadamat_local_stage_only"
DEFAULT_APP_URL = "https://app.khadamat.ma"


class PaymentProviderUnavailable(DomainError):
    """Stripe could not be reached or refused the call: a clean 503, never a stack trace."""

    status, code = 503, "PAYMENT_PROVIDER_UNAVAILABLE"


@dataclass(frozen=True)
class CheckoutRequest:
    """One purchase. `kind` PREMIUM is a monthly subscription, BOOST a one-off payment."""

    pro_id: str
    kind: str  # PREMIUM | BOOST
    target: str  # the plan, or the boosted categoryId
    intent_id: str
    amount_centimes: int  # the recurring (Premium) or one-off (Boost) amount
    intro_discount_centimes: int
    product_name: str
    customer_email: str | None

    @property
    def idempotency_key(self) -> str:
        return f"khadamat-checkout-{self.pro_id}-{self.kind}-{self.intent_id}"

    @property
    def metadata(self) -> dict[str, str]:
        target_field = "plan" if self.kind == "PREMIUM" else "categoryId"
        return {"proId": self.pro_id, "kind": self.kind, target_field: self.target,
                "intentId": self.intent_id}


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str


def _app_url() -> str:
    return os.environ.get("KHADAMAT_APP_URL", DEFAULT_APP_URL)


def session_params(request: CheckoutRequest) -> dict:
    """The Checkout Session create parameters (shared by Stripe and the stand-in).

    The −50 MAD intro is a `duration=once` coupon on the first invoice: Stripe then bills
    the full monthly price from the second month with no further bookkeeping on our side.
    """
    price_data = {"currency": CURRENCY, "unit_amount": request.amount_centimes,
                  "product_data": {"name": request.product_name}}
    params = {
        "client_reference_id": request.pro_id,
        "metadata": request.metadata,
        "success_url": f"{_app_url()}/pro/billing?checkout=success&session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{_app_url()}/pro/billing?checkout=cancelled",
    }
    if request.customer_email:
        params["customer_email"] = request.customer_email
    if request.kind == "PREMIUM":
        price_data["recurring"] = {"interval": "month", "interval_count": 1}
        params.update(mode="subscription", subscription_data={"metadata": request.metadata})
        if request.intro_discount_centimes:
            params["discounts"] = [{"coupon": INTRO_COUPON_ID}]
    else:
        params.update(mode="payment", payment_intent_data={"metadata": request.metadata})
    params["line_items"] = [{"price_data": price_data, "quantity": 1}]
    return params


class PaymentsGateway(Protocol):
    """What the payment use cases ask of Stripe (``payments_gateway`` picks the implementation)."""

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """A Checkout Session for the request; the same idempotency key gives the same session."""

    def cancel_at_period_end(self, subscription_id: str) -> None:
        """The subscription stops renewing; it stays active until its paid period ends."""


# ---------------------------------------------------------------- Stripe (deployed)
class StripePayments:
    def __init__(self, api_key: str):
        import stripe  # lazily: only the payment functions pay for it

        from khadamat.observability import tracer

        tracer.patch(("requests",))  # X-Ray: the SDK's HTTP calls (see khadamat.observability)
        self._stripe = stripe
        self._client = stripe.StripeClient(api_key, max_network_retries=2)

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        params = session_params(request)
        with self._provider_errors():
            if "discounts" in params:
                self._ensure_intro_coupon()
            session = self._client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": request.idempotency_key})
        return CheckoutSession(session.id, session.url)

    def cancel_at_period_end(self, subscription_id: str) -> None:
        with self._provider_errors():
            self._client.v1.subscriptions.update(
                subscription_id, params={"cancel_at_period_end": True},
                options={"idempotency_key": f"khadamat-cancel-{subscription_id}"})

    @contextmanager
    def _provider_errors(self):
        try:
            yield
        except self._stripe.StripeError as error:
            logger.exception("stripe call failed")
            raise PaymentProviderUnavailable("the payment provider is unavailable; retry later") \
                from error

    def _ensure_intro_coupon(self) -> None:
        try:
            self._client.v1.coupons.retrieve(INTRO_COUPON_ID)
        except self._stripe.InvalidRequestError:
            self._client.v1.coupons.create(
                params={"id": INTRO_COUPON_ID, "amount_off": to_centimes(INTRO_DISCOUNT_MAD),
                        "currency": CURRENCY, "duration": "once",
                        "name": "Premium : -50 MAD le premier mois"},
                options={"idempotency_key": f"khadamat-coupon-{INTRO_COUPON_ID}"})


# ---------------------------------------------------------------- local stand-in
def _local_id(prefix: str, *parts: str) -> str:
    return f"{prefix}_local_{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:24]}"


def local_base_url() -> str:
    return os.environ.get("KHADAMAT_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 3000}"


class LocalStripe:
    """Same interface as StripePayments; the idempotency key decides the session id, as in Stripe."""

    def __init__(self, now: datetime):
        self._now = now

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        session_id = _local_id("cs", request.idempotency_key)
        local_records.save_stripe_session(session_id, session_params(request), self._now.isoformat())
        return CheckoutSession(session_id, f"{local_base_url()}/_dev/stripe/checkout/{session_id}")

    def cancel_at_period_end(self, subscription_id: str) -> None:
        """Locally no renewal invoice is ever sent: Premium simply ends at the paid period end."""

    def completion_events(self, session_id: str) -> list[dict]:
        """The events Stripe sends when this session is paid (ids fixed: a second completion replays)."""
        params = local_records.stripe_session_params(session_id)
        if params is None:
            raise NotFound("no such local checkout session")
        return completion_events_of(session_id, params, self._now)


def completion_events_of(session_id: str, params: dict, paid_at: datetime) -> list[dict]:
    """The events of a paid local session, from its create parameters (also used by the race tests)."""
    now = int(paid_at.timestamp())
    amount = params["line_items"][0]["price_data"]["unit_amount"]
    discount = to_centimes(INTRO_DISCOUNT_MAD) if params.get("discounts") else 0
    session = {"id": session_id, "object": "checkout.session", "mode": params["mode"],
               "client_reference_id": params["client_reference_id"],
               "metadata": params["metadata"], "payment_status": "paid", "status": "complete",
               "amount_total": amount - discount, "currency": CURRENCY, "subscription": None}
    events = []
    if params["mode"] == "subscription":
        subscription_id = _local_id("sub", session_id)
        session["subscription"] = subscription_id
        period_end = int(add_calendar_months(paid_at, 1).timestamp())
        invoice = {
            "id": _local_id("in", session_id), "object": "invoice", "status": "paid",
            "billing_reason": "subscription_create", "currency": CURRENCY,
            "amount_paid": amount - discount,
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": subscription_id,
                "metadata": params["subscription_data"]["metadata"]}},
            "lines": {"object": "list", "data": [{
                "object": "line_item", "amount": amount,
                "period": {"start": now, "end": period_end}}]},
        }
        events.append(_event(session_id, "checkout.session.completed", session, now))
        events.append(_event(session_id, "invoice.paid", invoice, now))
    else:
        events.append(_event(session_id, "checkout.session.completed", session, now))
    return events


def _event(session_id: str, event_type: str, obj: dict, created: int) -> dict:
    return {"id": _local_id("evt", session_id, event_type), "object": "event",
            "type": event_type, "created": created, "livemode": False,
            "api_version": "2026-10-28.endive", "data": {"object": obj}}


# ---------------------------------------------------------------- wiring and webhooks
@cache
def _stripe_payments(api_key: str) -> StripePayments:
    return StripePayments(api_key)


def payments_gateway(now: datetime) -> PaymentsGateway:
    if config.is_local():
        return LocalStripe(now)
    return _stripe_payments(config.secret("STRIPE_API_KEY", "STRIPE_API_KEY_SECRET_NAME"))


def webhook_secret() -> str:
    if config.is_local() and not os.environ.get("STRIPE_WEBHOOK_SECRET"):
        return LOCAL_WEBHOOK_SECRET
    return config.secret("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET_NAME")


def sign_payload(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header (t=…,v1=HMAC-SHA256), with the SDK's own helper."""
    import stripe

    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp if timestamp is not None else int(time.time()))


def verify_webhook(payload: str | None, signature: str | None, secret: str) -> dict:
    """The verified event as a plain dict; 400 on a missing/bad signature or a non-JSON body.

    The signature's timestamp is checked against the real time (Stripe's 5 minutes), not the
    local dev clock: Stripe signs with real time.
    """
    import stripe

    try:
        stripe.Webhook.construct_event(payload or "", signature, secret)
        event = json.loads(payload or "")
    except (stripe.SignatureVerificationError, ValueError):
        raise BadRequest("invalid or missing Stripe-Signature")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
            or not isinstance(event.get("type"), str):
        raise BadRequest("not a Stripe event")
    return event
