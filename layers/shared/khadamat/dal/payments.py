"""Premium subscriptions, Boost purchases, checkout intents and Stripe webhook events.

Keys:
  USER#<proId> / SUBSCRIPTION#<stripeSubId>   one Stripe subscription: status, plan, period end,
                                              commitment end; `version` guards every change
  USER#<proId> / EVER_SUBSCRIBED              exists once a subscription of the pro was paid:
                                              no intro discount ever again
  USER#<proId> / CHECKOUT_INTENT#<kind>       the pro's current checkout intent of a kind
                                              (PREMIUM, BOOST): its id keys Stripe's idempotency
  CHECKOUT#<sessionId> / SESSION              a checkout session we created; COMPLETED by the webhook
  STRIPE_EVENT#<eventId> / EVENT              a handled Stripe event (ttl 90 days): replay = no-op

Every webhook effect is written in ONE transaction with its STRIPE_EVENT item (condition:
does not exist), so a replayed or concurrently duplicated event applies at most once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal.base import BaseItem, cancellation_codes, connection, get_items, get_or_none, conditionally
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.pricing import Plan
from khadamat.domain.subscriptions import Subscription, SubscriptionStatus
from khadamat.domain.timeutil import from_storage, to_storage

EVENT_RETENTION = timedelta(days=90)


class DuplicateEvent(Exception):
    """The Stripe event was already handled (a replay, or a concurrent duplicate delivery)."""


class StaleState(Exception):
    """What the effect was computed from changed meanwhile: read again and recompute."""


def _maybe(value: datetime | None) -> str | None:
    return to_storage(value) if value else None


def _parse(value: str | None) -> datetime | None:
    return from_storage(value) if value else None


# ---------------------------------------------------------------- items
class SubscriptionItem(BaseItem):
    subscription_id = UnicodeAttribute()
    pro_id = UnicodeAttribute()
    plan = UnicodeAttribute()
    status = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    current_period_end = UnicodeAttribute(null=True)
    commitment_ends_at = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)
    stripe_status_at = UnicodeAttribute(null=True)  # created of the event that said the status
    version = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)

    def to_domain(self) -> Subscription:
        return Subscription(
            subscription_id=self.subscription_id, pro_id=self.pro_id, plan=Plan(self.plan),
            status=SubscriptionStatus(self.status), started_at=_parse(self.started_at),
            current_period_end=_parse(self.current_period_end),
            commitment_ends_at=_parse(self.commitment_ends_at), ended_at=_parse(self.ended_at),
            stripe_status_at=_parse(self.stripe_status_at))


class EverSubscribedItem(BaseItem):
    first_subscription_id = UnicodeAttribute(null=True)
    first_paid_at = UnicodeAttribute(null=True)


class CheckoutIntentItem(BaseItem):
    intent_id = UnicodeAttribute()
    target = UnicodeAttribute()  # plan or categoryId
    discount_mad = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    session_id = UnicodeAttribute(null=True)
    session_url = UnicodeAttribute(null=True)


class CheckoutSessionItem(BaseItem):
    session_id = UnicodeAttribute()
    pro_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    target = UnicodeAttribute()
    status = UnicodeAttribute()  # OPEN | COMPLETED
    created_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)


class StripeEventItem(BaseItem):
    event_type = UnicodeAttribute()
    received_at = UnicodeAttribute()


def subscription_key(pro_id: str, subscription_id: str) -> tuple[str, str]:
    return f"USER#{pro_id}", f"SUBSCRIPTION#{subscription_id}"


def ever_subscribed_key(pro_id: str) -> tuple[str, str]:
    return f"USER#{pro_id}", "EVER_SUBSCRIBED"


def intent_key(pro_id: str, kind: str) -> tuple[str, str]:
    return f"USER#{pro_id}", f"CHECKOUT_INTENT#{kind}"


def session_key(session_id: str) -> tuple[str, str]:
    return f"CHECKOUT#{session_id}", "SESSION"


def event_key(event_id: str) -> tuple[str, str]:
    return f"STRIPE_EVENT#{event_id}", "EVENT"


# ---------------------------------------------------------------- reads
def has_ever_subscribed(pro_id: str) -> bool:
    return get_or_none(EverSubscribedItem, *ever_subscribed_key(pro_id)) is not None


def premium_checkout_state(pro_id: str) -> tuple[bool, CheckoutIntentItem | None]:
    """Whether the pro ever subscribed, and their current Premium intent: one round trip."""
    ever, intent = get_items([(EverSubscribedItem, *ever_subscribed_key(pro_id)),
                              (CheckoutIntentItem, *intent_key(pro_id, "PREMIUM"))])
    return ever is not None, intent


def pro_and_subscription(pro_id: str, subscription_id: str
                         ) -> tuple[UserItem | None, SubscriptionItem | None]:
    """The pro and one of their subscriptions, read together (consistent): one round trip.

    A BatchGetItem, not TransactGetItems: DynamoDB cancels that one when a transaction is
    writing one of the items at the same moment, and concurrent deliveries of Stripe events
    do exactly that.
    """
    user, subscription = get_items([(UserItem, *user_key(pro_id)),
                                    (SubscriptionItem, *subscription_key(pro_id, subscription_id))])
    return user, subscription


def get_subscription(pro_id: str, subscription_id: str) -> SubscriptionItem | None:
    return get_or_none(SubscriptionItem, *subscription_key(pro_id, subscription_id))


def list_subscriptions(pro_id: str) -> list[SubscriptionItem]:
    return list(SubscriptionItem.query(f"USER#{pro_id}",
                                       SubscriptionItem.SK.startswith("SUBSCRIPTION#")))


def get_intent(pro_id: str, kind: str) -> CheckoutIntentItem | None:
    return get_or_none(CheckoutIntentItem, *intent_key(pro_id, kind))


def get_session(session_id: str) -> CheckoutSessionItem | None:
    return get_or_none(CheckoutSessionItem, *session_key(session_id))


# ---------------------------------------------------------------- checkout
def replace_intent(pro_id: str, kind: str, intent_id: str, target: str, discount_mad: int,
                   now: datetime, previous_intent_id: str | None) -> bool:
    """Start a new intent unless another request replaced the one we read (then False)."""
    item = CheckoutIntentItem(*intent_key(pro_id, kind), intent_id=intent_id, target=target,
                              discount_mad=discount_mad, created_at=to_storage(now))
    condition = (CheckoutIntentItem.PK.does_not_exist() if previous_intent_id is None
                 else CheckoutIntentItem.intent_id == previous_intent_id)
    return conditionally(item.save, condition=condition)


def record_session(pro_id: str, kind: str, intent_id: str, target: str, session_id: str,
                   session_url: str, now: datetime) -> None:
    """Remember the session on its intent (for retries) and as our own record.

    A concurrent retry of the same intent records the same session: the loser's write is moot.
    """
    try:
        _record_session(pro_id, kind, intent_id, target, session_id, session_url, now)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise


def _record_session(pro_id: str, kind: str, intent_id: str, target: str, session_id: str,
                    session_url: str, now: datetime) -> None:
    with TransactWrite(connection=connection()) as tx:
        tx.update(CheckoutIntentItem(*intent_key(pro_id, kind)),
                  actions=[CheckoutIntentItem.session_id.set(session_id),
                           CheckoutIntentItem.session_url.set(session_url)],
                  condition=CheckoutIntentItem.intent_id == intent_id)
        tx.save(CheckoutSessionItem(*session_key(session_id), session_id=session_id,
                                    pro_id=pro_id, kind=kind, target=target, status="OPEN",
                                    created_at=to_storage(now)),
                condition=CheckoutSessionItem.PK.does_not_exist())


def mark_canceling(item: SubscriptionItem, now: datetime) -> SubscriptionItem | None:
    """The subscription now CANCELING (pynamodb refreshes `item` from the update's ALL_NEW);
    None when it changed since it was read (read again). Dated `now`: an older Stripe
    snapshot (customer.subscription.updated) arriving late cannot undo the cancel."""
    written = conditionally(item.update, actions=[SubscriptionItem.status.set(SubscriptionStatus.CANCELING),
                                                  SubscriptionItem.stripe_status_at.set(to_storage(now)),
                                                  SubscriptionItem.version.add(1),
                                                  SubscriptionItem.updated_at.set(to_storage(now))],
                            condition=SubscriptionItem.version == item.version)
    return item if written else None


# ---------------------------------------------------------------- webhook effects
def _event_record(event_id: str, event_type: str, now: datetime) -> StripeEventItem:
    return StripeEventItem(*event_key(event_id), event_type=event_type,
                           received_at=to_storage(now),
                           ttl=int((now + EVENT_RETENTION).timestamp()))


def _run(tx_body, event_id: str) -> None:
    """Run a transaction whose first Put is the event record (pynamodb puts Puts before Updates)."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx_body(tx)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        codes = cancellation_codes(error)
        if codes and codes[0] == "ConditionalCheckFailed":
            raise DuplicateEvent(event_id) from error
        if "ConditionalCheckFailed" in codes:
            raise StaleState(event_id) from error
        raise


def record_event(event_id: str, event_type: str, now: datetime) -> None:
    """An event without effect (ignored type, unknown pro): recorded so a replay is known."""
    _run(lambda tx: tx.save(_event_record(event_id, event_type, now),
                            condition=StripeEventItem.PK.does_not_exist()), event_id)


def _mark_session_completed(tx, session_id: str | None, now: datetime) -> None:
    if session_id:
        tx.update(CheckoutSessionItem(*session_key(session_id)),
                  actions=[CheckoutSessionItem.status.set("COMPLETED"),
                           CheckoutSessionItem.completed_at.set(to_storage(now))])


def apply_subscription_change(*, event_id: str, event_type: str, now: datetime,
                              before: SubscriptionItem | None, after: Subscription,
                              user_premium_until: str | None, new_premium_until: datetime | None,
                              paid: bool, session_id: str | None = None) -> None:
    """The event record, the subscription's new state, the pro's premium_until: all or nothing.

    Raises DuplicateEvent (already handled) or StaleState (the subscription or the pro's
    premium_until changed since they were read).
    """
    item = SubscriptionItem(
        *subscription_key(after.pro_id, after.subscription_id),
        subscription_id=after.subscription_id, pro_id=after.pro_id, plan=after.plan,
        status=after.status, started_at=_maybe(after.started_at),
        current_period_end=_maybe(after.current_period_end),
        commitment_ends_at=_maybe(after.commitment_ends_at), ended_at=_maybe(after.ended_at),
        stripe_status_at=_maybe(after.stripe_status_at),
        version=(before.version + 1) if before else 1, updated_at=to_storage(now))
    guard = (SubscriptionItem.PK.does_not_exist() if before is None
             else SubscriptionItem.version == before.version)

    def body(tx):
        tx.save(_event_record(event_id, event_type, now),
                condition=StripeEventItem.PK.does_not_exist())
        tx.save(item, condition=guard)
        if new_premium_until is not None and _maybe(new_premium_until) != user_premium_until:
            unchanged = (UserItem.premium_until.does_not_exist() if user_premium_until is None
                         else UserItem.premium_until == user_premium_until)
            tx.update(UserItem(*user_key(after.pro_id)),
                      actions=[UserItem.premium_until.set(to_storage(new_premium_until)),
                               UserItem.premium_plan.set(after.plan)],
                      condition=unchanged & UserItem.PK.exists())
        if paid:
            marker = EverSubscribedItem(*ever_subscribed_key(after.pro_id))
            tx.update(marker, actions=[
                EverSubscribedItem.first_subscription_id.set(
                    EverSubscribedItem.first_subscription_id | after.subscription_id),
                EverSubscribedItem.first_paid_at.set(
                    EverSubscribedItem.first_paid_at | to_storage(now))])
        _mark_session_completed(tx, session_id, now)

    _run(body, event_id)


def apply_boost_purchase(*, event_id: str, event_type: str, now: datetime, pro_id: str,
                         category_id: str, starts_at: datetime, ends_at: datetime,
                         session_id: str | None) -> bool:
    """Adds the Boost with its event record; False (nothing written) when the pro does not exist."""
    boost = {"categoryId": category_id, "startsAt": to_storage(starts_at),
             "endsAt": to_storage(ends_at)}

    def body(tx):
        tx.save(_event_record(event_id, event_type, now),
                condition=StripeEventItem.PK.does_not_exist())
        tx.update(UserItem(*user_key(pro_id)),
                  actions=[UserItem.boosts.set((UserItem.boosts | []).append([boost]))],
                  condition=UserItem.PK.exists())
        _mark_session_completed(tx, session_id, now)

    try:
        _run(body, event_id)
        return True
    except StaleState:  # the only state guard here: the pro's item exists
        return False


def mark_session_completed(*, event_id: str, event_type: str, now: datetime,
                           session_id: str) -> None:
    _run(lambda tx: (tx.save(_event_record(event_id, event_type, now),
                             condition=StripeEventItem.PK.does_not_exist()),
                     _mark_session_completed(tx, session_id, now)), event_id)
