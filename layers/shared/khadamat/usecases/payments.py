"""Premium and Boost (SPEC §12): checkout, state, cancel, and the Stripe webhook."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from khadamat.adapters import payments as stripe_adapter
from khadamat.dal import payments as store
from khadamat.dal import users
from khadamat.domain import pricing
from khadamat.domain import pros as pro_rules
from khadamat.domain import subscriptions as rules
from khadamat.domain.errors import Conflict, Forbidden, NotFound, Unprocessable
from khadamat.domain.subscriptions import SubscriptionStatus
from khadamat.domain.timeutil import from_storage, to_local_iso
from khadamat.observability import logger

PREMIUM, BOOST = "PREMIUM", "BOOST"
# Stripe keeps an idempotency key 24 h: an intent is reused for retries well inside that.
INTENT_REUSE_WINDOW = timedelta(hours=23)
STALE_RETRIES = 5


# ---------------------------------------------------------------- reading the pro's state
def _active_boosts(user: users.UserItem, now: datetime) -> list[dict]:
    active = []
    for boost in user.boosts or []:
        boost = boost.as_dict() if hasattr(boost, "as_dict") else dict(boost)
        starts, ends = from_storage(boost["startsAt"]), from_storage(boost["endsAt"])
        if pricing.is_active(ends, now, starts):
            active.append({"categoryId": boost["categoryId"], "startsAt": starts, "endsAt": ends})
    return active


def _premium_active(user: users.UserItem, now: datetime) -> bool:
    return pro_rules.premium_active(user.premium_until, now)


def _require_kyc(user: users.UserItem) -> None:
    if user.kyc_status != "APPROVED":
        raise Forbidden("Premium and Boost need an approved KYC", code="KYC_REQUIRED")


def _current_subscription(pro_id: str, now: datetime) -> store.SubscriptionItem | None:
    """The subscription giving Premium now (the latest period end wins)."""
    live = [item for item in store.list_subscriptions(pro_id)
            if rules.gives_premium(item.to_domain(), now)]
    return max(live, key=lambda item: item.current_period_end, default=None)


# ---------------------------------------------------------------- checkout
def start_premium_checkout(user: users.UserItem, plan_value: str, now: datetime) -> dict:
    plan = pricing.parse_plan(plan_value)
    _require_kyc(user)
    if _premium_active(user, now):
        raise Conflict("Premium is already active", code="NOT_CUMULABLE")
    pricing.check_not_cumulable(premium_active=True, boost_active=bool(_active_boosts(user, now)))
    ever_subscribed, intent = store.premium_checkout_state(user.user_id)
    quote = pricing.premium_quote(plan, ever_subscribed)
    session = _checkout(user, PREMIUM, plan.value, quote.intro_discount_mad, now, intent,
                        amount_centimes=quote.recurring_centimes,
                        product_name=f"Khadamat Premium ({plan.value})")
    return {"checkoutUrl": session.url, "sessionId": session.session_id,
            "priceMad": quote.price_mad, "introDiscountMad": quote.intro_discount_mad}


def start_boost_checkout(user: users.UserItem, category_id: str, now: datetime) -> dict:
    _require_kyc(user)
    offered = {service.get("categoryId") if isinstance(service, dict) else service["categoryId"]
               for service in (user.services or [])}
    if category_id not in offered:
        raise Unprocessable("you do not offer this category", code="CATEGORY_NOT_OFFERED")
    pricing.check_not_cumulable(premium_active=_premium_active(user, now), boost_active=True)
    if _active_boosts(user, now):
        raise Conflict("a Boost is already active", code="NOT_CUMULABLE")
    session = _checkout(user, BOOST, category_id, 0, now, store.get_intent(user.user_id, BOOST),
                        amount_centimes=pricing.boost_price_centimes(),
                        product_name=f"Khadamat Boost 7 jours ({category_id}, {user.city_id})")
    return {"checkoutUrl": session.url, "sessionId": session.session_id,
            "priceMad": pricing.BOOST_PRICE_MAD}


def _checkout(user: users.UserItem, kind: str, target: str, discount_mad: int, now: datetime,
              intent: store.CheckoutIntentItem | None, *, amount_centimes: int,
              product_name: str) -> stripe_adapter.CheckoutSession:
    intent_id, session_recorded = _intent_for(user.user_id, kind, target, discount_mad, now, intent)
    request = stripe_adapter.CheckoutRequest(
        pro_id=user.user_id, kind=kind, target=target, intent_id=intent_id,
        amount_centimes=amount_centimes,
        intro_discount_centimes=pricing.to_centimes(discount_mad), product_name=product_name,
        customer_email=user.email)
    session = stripe_adapter.payments_gateway(now).create_checkout(request)
    if not session_recorded:
        # Guarded by the intent id: if another click replaced the intent meanwhile, moot.
        store.record_session(user.user_id, kind, intent_id, target, session.session_id,
                             session.url, now)
    return session


def _intent_for(pro_id: str, kind: str, target: str, discount_mad: int, now: datetime,
                intent: store.CheckoutIntentItem | None) -> tuple[str, bool]:
    """The durable intent whose id keys Stripe's idempotency: a retried click gets the same session.

    `intent` is the one already read; it is read again only after losing a race to replace it.
    Returns the intent id and whether its session is already recorded.
    """
    for attempt in range(STALE_RETRIES):
        if attempt:
            intent = store.get_intent(pro_id, kind)
        if intent is not None and _reusable(intent, target, discount_mad, now):
            return intent.intent_id, intent.session_id is not None
        intent_id = str(uuid.uuid4())
        if store.replace_intent(pro_id, kind, intent_id, target, discount_mad, now,
                                previous_intent_id=intent.intent_id if intent else None):
            return intent_id, False
    raise Conflict("another checkout is being started; try again", code="CONFLICT")


def _reusable(intent: store.CheckoutIntentItem, target: str, discount_mad: int,
              now: datetime) -> bool:
    if intent.target != target or int(intent.discount_mad or 0) != discount_mad:
        return False
    if from_storage(intent.created_at) <= now - INTENT_REUSE_WINDOW:
        return False
    session = store.get_session(intent.session_id) if intent.session_id else None
    return session is None or session.status == "OPEN"


# ---------------------------------------------------------------- state and cancel
def subscription_view(user: users.UserItem, now: datetime) -> dict:
    return _view(user, _current_subscription(user.user_id, now), now)


def _view(user: users.UserItem, current: store.SubscriptionItem | None, now: datetime) -> dict:
    premium = None
    if current is not None:
        state = current.to_domain()
        premium = {"status": state.status.value, "plan": state.plan.value,
                   "currentPeriodEnd": to_local_iso(rules.premium_until(state)),
                   "commitmentEndsAt": to_local_iso(state.commitment_ends_at)
                   if state.commitment_ends_at else None}
    boosts = [{"categoryId": b["categoryId"], "startsAt": to_local_iso(b["startsAt"]),
               "endsAt": to_local_iso(b["endsAt"])} for b in _active_boosts(user, now)]
    return {"premium": premium, "boosts": boosts}


def cancel_subscription(user: users.UserItem, now: datetime) -> dict:
    for _ in range(STALE_RETRIES):
        current = _current_subscription(user.user_id, now)
        if current is None:
            raise NotFound("no active Premium subscription")
        state = current.to_domain()
        if state.status == SubscriptionStatus.CANCELING:
            return _view(user, current, now)
        rules.check_can_cancel(state, now)
        stripe_adapter.payments_gateway(now).cancel_at_period_end(state.subscription_id)
        canceling = store.mark_canceling(current, now)
        if canceling is not None:
            return _view(user, canceling, now)
    raise Conflict("the subscription kept changing; try again", code="CONFLICT")


# ---------------------------------------------------------------- webhook
def handle_webhook(payload: str | None, signature: str | None, now: datetime) -> dict:
    """Verify, then apply the event once. A replay answers 200 and changes nothing. A refused
    signature or a failed effect counts in StripeWebhookFailed (its alarm: docs/operations.md)."""
    from khadamat import business_metrics

    try:
        event = stripe_adapter.verify_webhook(payload, signature, stripe_adapter.webhook_secret())
        try:
            outcome = _apply_event(event, now)
        except store.DuplicateEvent:
            outcome = "duplicate"
    except Exception:
        business_metrics.count(business_metrics.STRIPE_WEBHOOK_FAILED)
        raise
    logger.info("stripe event", extra={"event_id": event["id"], "type": event["type"],
                                       "outcome": outcome})
    return {"received": True, "eventId": event["id"], "outcome": outcome}


def _apply_event(event: dict, now: datetime) -> str:
    obj = (event.get("data") or {}).get("object") or {}
    handlers = {"checkout.session.completed": _on_checkout_completed,
                "invoice.paid": _on_invoice_paid,
                "invoice.payment_failed": _on_payment_failed,
                "customer.subscription.updated": _on_subscription_updated,
                "customer.subscription.deleted": _on_subscription_deleted}
    handler = handlers.get(event["type"])
    outcome = handler(event, obj, now) if handler else "ignored"
    if outcome != "applied":
        store.record_event(event["id"], event["type"], now)
    return outcome


def _epoch(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, (int, float)) else None


def _on_checkout_completed(event: dict, session: dict, now: datetime) -> str:
    metadata = session.get("metadata") or {}
    pro_id = metadata.get("proId") or session.get("client_reference_id")
    if not pro_id or session.get("payment_status") != "paid":
        return "ignored"
    if metadata.get("kind") == BOOST and metadata.get("categoryId"):
        starts_at, ends_at = pricing.boost_window(now)
        applied = store.apply_boost_purchase(event_id=event["id"], event_type=event["type"],
                                             now=now, pro_id=pro_id,
                                             category_id=metadata["categoryId"],
                                             starts_at=starts_at, ends_at=ends_at,
                                             session_id=session.get("id"))
        return "applied" if applied else "ignored"
    if metadata.get("kind") == PREMIUM and session.get("subscription"):  # the pro is read there
        return _change_subscription(event, now, pro_id, metadata.get("plan"),
                                    session["subscription"], lambda state: state,
                                    session_id=session.get("id"))
    return "ignored"


def _invoice_subscription(invoice: dict) -> tuple[str | None, dict]:
    """Subscription id and metadata, from the current (parent) or the older invoice shape."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    subscription_id = details.get("subscription") or invoice.get("subscription")
    metadata = details.get("metadata") or (invoice.get("subscription_details") or {}).get("metadata")
    return subscription_id, metadata or {}


def _on_invoice_paid(event: dict, invoice: dict, now: datetime) -> str:
    subscription_id, metadata = _invoice_subscription(invoice)
    periods = [line.get("period") or {} for line in (invoice.get("lines") or {}).get("data") or []]
    ends = [(_epoch(p.get("start")), _epoch(p.get("end"))) for p in periods if _epoch(p.get("end"))]
    if not subscription_id or not ends:
        return "ignored"
    start, end = max(ends, key=lambda pair: pair[1])
    event_at = _epoch(event.get("created"))
    return _change_subscription(event, now, metadata.get("proId"), metadata.get("plan"),
                                subscription_id,
                                lambda state: rules.on_invoice_paid(state, start or now, end,
                                                                    event_at),
                                paid=True)


def _on_payment_failed(event: dict, invoice: dict, now: datetime) -> str:
    subscription_id, metadata = _invoice_subscription(invoice)
    if not subscription_id:
        return "ignored"
    event_at = _epoch(event.get("created"))
    return _change_subscription(event, now, metadata.get("proId"), metadata.get("plan"),
                                subscription_id,
                                lambda state: rules.on_payment_failed(state, event_at))


def _on_subscription_updated(event: dict, subscription: dict, now: datetime) -> str:
    metadata = subscription.get("metadata") or {}
    event_at = _epoch(event.get("created")) or now
    cancel_scheduled = bool(subscription.get("cancel_at_period_end")) \
        or _epoch(subscription.get("cancel_at")) is not None
    return _change_subscription(
        event, now, metadata.get("proId"), metadata.get("plan"), subscription.get("id"),
        lambda state: rules.on_subscription_updated(
            state, str(subscription.get("status") or ""), cancel_scheduled, event_at,
            _epoch(subscription.get("ended_at"))))


def _on_subscription_deleted(event: dict, subscription: dict, now: datetime) -> str:
    metadata = subscription.get("metadata") or {}
    ended_at = _epoch(subscription.get("ended_at")) or _epoch(event.get("created")) or now
    return _change_subscription(event, now, metadata.get("proId"), metadata.get("plan"),
                                subscription.get("id"),
                                lambda state: rules.on_subscription_deleted(state, ended_at))


def _change_subscription(event: dict, now: datetime, pro_id: str | None, plan: str | None,
                         subscription_id: str | None, transition, *, paid: bool = False,
                         session_id: str | None = None) -> str:
    """Read, compute the next state (pure), write it guarded by what was read; retry if stale."""
    if not pro_id or not subscription_id or plan not in pricing.MONTHLY_PRICE_MAD:
        return "ignored"
    for _ in range(STALE_RETRIES):
        user, before = store.pro_and_subscription(pro_id, subscription_id)
        if user is None:
            return "ignored"
        state = before.to_domain() if before else rules.new_subscription(subscription_id, pro_id,
                                                                         pricing.Plan(plan))
        after = transition(state)
        if after is None or (after == state and before is not None):
            if session_id is None:
                return "no-change"
            store.mark_session_completed(event_id=event["id"], event_type=event["type"], now=now,
                                         session_id=session_id)
            return "applied"
        current_until = from_storage(user.premium_until) if user.premium_until else None
        try:
            store.apply_subscription_change(
                event_id=event["id"], event_type=event["type"], now=now, before=before,
                after=after, user_premium_until=user.premium_until,
                new_premium_until=rules.pro_premium_until(current_until, state, after),
                paid=paid and after.status != SubscriptionStatus.ENDED, session_id=session_id)
            return "applied"
        except store.StaleState:
            continue
    raise Conflict("the subscription kept changing; Stripe will retry", code="CONFLICT")
