"""Bookings: the booking, its events, the 3-PENDING counter, duplicate guard, penalties, reviews.

Keys (docs/architecture.md, docs/bookings.md):
  BOOKING#<id> / BOOKING                 the booking
      GSI1: CLIENT#<clientId> / <timeSlot>#<id>       the client's bookings by time
      GSI2: PROBOOKINGS#<proId> / <timeSlot>#<id>     the pro's bookings by time
      GSI3 (only while PENDING): PENDING_EXPIRY / <expiresAt>#<id>   what the expiry job reads
      GSI3 once EXPIRED/DECLINED/CANCELLED_*: BOOKING_RETENTION / <slot + 2 years>#<id>
                                                      what the apply-retention job reads
  BOOKING#<id> / EVENT#<createdAt>#<seq> an event, written with the status change (the CREATED
                                         event is not stored: the booking item is its record,
                                         ``events_of``)
  BOOKING#<id> / REVIEW                  the one review of a COMPLETED booking
  USER#<clientId> / PENDING#<cityId>#<categoryId>   set of the client's PENDING booking ids + version
  USER#<clientId> / ACTIVE#<proId>#<slot>           one PENDING/CONFIRMED booking per client+pro+slot
  USER#<userId> / PENALTY#<ts>#<type>    a penalty log entry

Every transition is one TransactWriteItems built with `BookingTx`, which remembers a
label per item in pynamodb's order (ConditionCheck, Delete, Put, Update; TRAPS.md) so
that a cancellation is mapped to the item that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import (BooleanAttribute, JSONAttribute, NumberAttribute,
                                 UnicodeAttribute, UnicodeSetAttribute)
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import size
from pynamodb.transactions import TransactWrite

from khadamat.dal.availability import SlotLockItem, lock_key, new_lock
from khadamat.dal.base import (GSI1, GSI2, GSI3, GSI4, BaseItem, ItemRef, PageScope, connection,
                               decode_page_token, encode_page_token, get_items, get_or_none)
from khadamat.dal.pro_stats import StatsDelta
from khadamat.dal.users import UserItem, user_key, write_account
from khadamat.domain.accounts import Role
from khadamat.domain.booking_rules import EventType
from khadamat.domain.retention import booking_erase_at, is_erasable
from khadamat.domain.timeutil import from_storage, to_storage

PENDING_EXPIRY = "PENDING_EXPIRY"
RETENTION_DUE = "BOOKING_RETENTION"
PRO_REVIEWS_PREFIX = "PROREVIEWS#"
MAX_PENDING_PER_GROUP = 3
ACTIVE_GUARD_KEPT_AFTER_SLOT = timedelta(days=1)


def booking_pk(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


class BookingItem(BaseItem):
    booking_id = UnicodeAttribute()
    status = UnicodeAttribute()
    time_slot = UnicodeAttribute()
    city_id = UnicodeAttribute()
    category_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    pro_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    confirmed_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    estimated_duration = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    origin_request_id = UnicodeAttribute(null=True)  # the create's API request id: logs' booking_correlation_id
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # SPEC §19 (khadamat.dal.reschedule): the open reschedule proposal, if any, and the next
    # reminder due (GSI4 REMINDERS_DUE / <dueAt>#<id> while CONFIRMED with a reminder ahead)
    proposal_id = UnicodeAttribute(null=True)
    proposal_time_slot = UnicodeAttribute(null=True)
    proposal_by = UnicodeAttribute(null=True)
    proposal_expires_at = UnicodeAttribute(null=True)
    reminder_kind = UnicodeAttribute(null=True)
    # the service's price when the request was made (SPEC §18): {pricingType, fixedPriceMad}
    # or {pricingType, minPriceMad, maxPriceMad}; a later price change does not rewrite it
    price = JSONAttribute(null=True)

    by_client = GSI1()
    by_pro = GSI2()
    by_expiry = GSI3()
    by_reminder_due = GSI4()


class BookingEventItem(BaseItem):
    type = UnicodeAttribute()
    actor_role = UnicodeAttribute(null=True)
    actor_user_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    metadata = JSONAttribute(null=True)


class PendingGroupItem(BaseItem):
    pending_ids = UnicodeSetAttribute(null=True)
    # one "<id>|<proId>|<timeSlot>|<expiresAt>" per id: what a confirm needs to auto-cancel
    # the other requests without reading them (same transactions as pending_ids)
    pending_info = UnicodeSetAttribute(null=True)
    version = NumberAttribute(default=0)


class ActiveBookingItem(BaseItem):
    booking_id = UnicodeAttribute()


class PenaltyLogItem(BaseItem):
    type = UnicodeAttribute()
    user_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class ReviewItem(BaseItem):
    booking_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    pro_id = UnicodeAttribute()
    rating = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # SPEC §18: the pro's one public reply; `hidden` (set by an admin) keeps it out of the
    # public list. GSI1 PROREVIEWS#<proId> / <createdAt>#<bookingId>: the pro's reviews by date.
    reply_text = UnicodeAttribute(null=True)
    reply_created_at = UnicodeAttribute(null=True)
    hidden = BooleanAttribute(null=True)  # admin moderation (SPEC §17): out of every public read
    hidden_reason = UnicodeAttribute(null=True)

    by_pro = GSI1()


# ---------------------------------------------------------------- items
def new_booking(*, booking_id: str, client_id: str, pro_id: str, city_id: str, category_id: str,
                time_slot: datetime, expires_at: datetime, now: datetime,
                origin_request_id: str | None = None, price: dict | None = None) -> BookingItem:
    slot, expiry, created = to_storage(time_slot), to_storage(expires_at), to_storage(now)
    return BookingItem(
        booking_pk(booking_id), "BOOKING", booking_id=booking_id, status="PENDING",
        time_slot=slot, city_id=city_id, category_id=category_id, client_id=client_id,
        pro_id=pro_id, expires_at=expiry, created_at=created, updated_at=created,
        origin_request_id=origin_request_id, price=price,
        GSI1PK=f"CLIENT#{client_id}", GSI1SK=f"{slot}#{booking_id}",
        GSI2PK=f"PROBOOKINGS#{pro_id}", GSI2SK=f"{slot}#{booking_id}",
        GSI3PK=PENDING_EXPIRY, GSI3SK=f"{expiry}#{booking_id}")


def new_event(booking_id: str, event_type: str, now: datetime, seq: int, *,
              actor_role: str | None = None, actor_user_id: str | None = None,
              metadata: dict | None = None) -> BookingEventItem:
    created = to_storage(now)
    return BookingEventItem(booking_pk(booking_id), f"EVENT#{created}#{seq:02d}", type=event_type,
                            actor_role=actor_role, actor_user_id=actor_user_id,
                            created_at=created, metadata=metadata or {})


def pending_group_key(client_id: str, city_id: str, category_id: str) -> tuple[str, str]:
    return f"USER#{client_id}", f"PENDING#{city_id}#{category_id}"


def active_key(booking: BookingItem) -> tuple[str, str]:
    return f"USER#{booking.client_id}", f"ACTIVE#{booking.pro_id}#{booking.time_slot}"


def group_key_of(booking: BookingItem) -> tuple[str, str]:
    return pending_group_key(booking.client_id, booking.city_id, booking.category_id)


def _pending_entry(booking: BookingItem) -> str:
    return "|".join((booking.booking_id, booking.pro_id, booking.time_slot, booking.expires_at))


def _pending_sibling(booking: BookingItem, entry: str) -> BookingItem:
    """Another PENDING request of ``booking``'s group, as the group item describes it."""
    booking_id, pro_id, time_slot, expires_at = entry.split("|")
    return BookingItem(booking_pk(booking_id), "BOOKING", booking_id=booking_id, status="PENDING",
                       time_slot=time_slot, city_id=booking.city_id, category_id=booking.category_id,
                       client_id=booking.client_id, pro_id=pro_id, expires_at=expires_at,
                       created_at=time_slot, updated_at=time_slot)


@dataclass
class PendingGroup:
    """The client's PENDING requests of one city+category, as one read saw them."""

    others: list[BookingItem]  # every request of the group but the one read for
    version: int | None  # None: no group item


def group_and_client(booking: BookingItem) -> tuple[PendingGroup, UserItem | None]:
    """``booking``'s pending group and its client's account, in one read. Requests written
    before the group described them (no entry) are read from their own items."""
    item, client = get_items([(PendingGroupItem, *group_key_of(booking)),
                              (UserItem, *user_key(booking.client_id))])
    if item is None:
        return PendingGroup([], None), client
    ids = set(item.pending_ids or ()) - {booking.booking_id}
    described = {entry.split("|")[0]: _pending_sibling(booking, entry) for entry in item.pending_info or ()}
    others = [described[i] for i in ids if i in described]
    others += [other for other in get_bookings(ids - described.keys()) if other.status == "PENDING"]
    return PendingGroup(others, int(item.version or 0)), client


# ---------------------------------------------------------------- reads
def get_booking(booking_id: str) -> BookingItem | None:
    return get_or_none(BookingItem, booking_pk(booking_id), "BOOKING")


class BookingRef(ItemRef):
    """A booking named by id (a request's path), with the item when the request already read
    it alongside the caller's account (one BatchGetItem: khadamat.api.prefetch)."""

    model = BookingItem

    def item_key(self) -> tuple[str, str]:
        return booking_pk(self.id), "BOOKING"

    @property
    def booking_id(self) -> str:
        return self.id

    def booking(self) -> BookingItem | None:
        """The booking (None when absent): the item read with the caller, else one read now."""
        return self.get()


class ReviewRef(ItemRef):
    """The review of the booking a request's path names (/admin/reviews/{bookingId}/…)."""

    model = ReviewItem

    def item_key(self) -> tuple[str, str]:
        return booking_pk(self.id), "REVIEW"


def list_events(booking: BookingItem) -> list[BookingEventItem]:
    """The booking's timeline, oldest first (one Query of its partition)."""
    stored = BookingEventItem.query(booking_pk(booking.booking_id), BookingEventItem.SK.startswith("EVENT#"))
    return events_of(booking, stored)


def events_of(booking: BookingItem, stored) -> list[BookingEventItem]:
    """The CREATED event first, then the stored ones. The create transaction stores no CREATED
    event: the booking item already records who asked (its client) and when (``created_at``),
    and the copy cost 2 write units per booking (docs/benchmarks.md, cost per booking).
    Bookings created before that change still have the stored one: it is not repeated."""
    stored = list(stored)
    if stored and stored[0].type == EventType.CREATED:
        return stored
    return [created_event(booking), *stored]


def created_event(booking: BookingItem) -> BookingEventItem:
    event = new_event(booking.booking_id, EventType.CREATED, from_storage(booking.created_at), 0,
                      actor_role=Role.CLIENT, actor_user_id=booking.client_id)
    event.created_at = booking.created_at  # exactly as stored (no round trip through datetime)
    return event


def get_bookings(booking_ids) -> list[BookingItem]:
    keys = [(booking_pk(booking_id), "BOOKING") for booking_id in set(booking_ids)]
    return list(BookingItem.batch_get(keys)) if keys else []


def query_bookings(*, as_pro: bool, user_id: str, status: str | None, limit: int,
                   next_token: str | None, scope: PageScope) -> tuple[list[BookingItem], str | None]:
    """One page of a user's bookings by timeSlot ascending (GSI1 for a client, GSI2 for a pro)."""
    index, hash_key = ((BookingItem.by_pro, f"PROBOOKINGS#{user_id}") if as_pro
                       else (BookingItem.by_client, f"CLIENT#{user_id}"))
    result = index.query(hash_key, filter_condition=(BookingItem.status == status) if status else None,
                         limit=limit, last_evaluated_key=decode_page_token(next_token, scope),
                         page_size=limit)
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)


def pro_bookings_between(pro_id: str, start: datetime, end: datetime) -> list[BookingItem]:
    """The pro's bookings with timeSlot in [start, end)."""
    return list(BookingItem.by_pro.query(
        f"PROBOOKINGS#{pro_id}", BookingItem.GSI2SK.between(to_storage(start), to_storage(end))))


def pro_bookings_page(pro_id: str, start: datetime, end: datetime, limit: int,
                      start_key: dict | None) -> tuple[list[BookingItem], dict | None]:
    """One page of the pro's bookings with timeSlot in [start, end), by slot; the key of the
    next page or None (GET /pro/bookings.csv reads page by page)."""
    result = BookingItem.by_pro.query(
        f"PROBOOKINGS#{pro_id}", BookingItem.GSI2SK.between(to_storage(start), to_storage(end)),
        limit=limit, page_size=limit, last_evaluated_key=start_key)
    items = list(result)
    return items, result.last_evaluated_key


def due_pending(now: datetime) -> list[BookingItem]:
    """PENDING bookings with expiresAt ≤ now, from the sparse expiry index (never a scan)."""
    return list(BookingItem.by_expiry.query(PENDING_EXPIRY, BookingItem.GSI3SK <= f"{to_storage(now)}#~"))


def penalty_times(user_id: str, penalty_type: str, since: datetime) -> list[str]:
    condition = PenaltyLogItem.SK >= f"PENALTY#{to_storage(since)}"
    return [item.created_at for item in PenaltyLogItem.query(f"USER#{user_id}", condition)
            if item.SK.startswith("PENALTY#") and item.type == penalty_type]


# ---------------------------------------------------------------- transactions
class TxFailed(Exception):
    """A cancelled transaction: the labels of the items whose condition failed."""

    def __init__(self, failed: set[str], retryable: bool):
        super().__init__(f"transaction cancelled: {sorted(failed)} retryable={retryable}")
        self.failed = failed
        self.retryable = retryable


@dataclass
class BookingChange:
    """A booking's move to another status, with the fields that change."""

    booking: BookingItem
    to_status: str
    fields: dict
    now: datetime
    expected_status: str
    not_expired: bool = False  # condition: expiresAt > now (a live PENDING)
    must_be_expired: bool = False  # condition: expiresAt <= now (the expiry)


def applied(change: BookingChange) -> BookingItem:
    """The booking as its committed change left it: the change's status condition means no
    other write came in between (every booking write is a transition conditioned on status)."""
    after = BookingItem.from_raw_data(change.booking.serialize())
    after.status = change.to_status
    after.updated_at = to_storage(change.now)
    for name, value in change.fields.items():
        if value is not None:
            setattr(after, name, value)
    if change.to_status != "PENDING":
        after.GSI3PK, after.GSI3SK = _retention_keys(after, change.to_status) or (None, None)
    if change.to_status != "CONFIRMED":
        after.GSI4PK = after.GSI4SK = None
    return after


def _retention_keys(booking: BookingItem, to_status: str) -> tuple[str, str] | None:
    """A booking that never took place joins the retention index, due 2 years after its slot
    (the apply-retention job erases it then, docs/privacy.md)."""
    if not is_erasable(to_status):
        return None
    due = to_storage(booking_erase_at(from_storage(booking.time_slot)))
    return RETENTION_DUE, f"{due}#{booking.booking_id}"


class BookingTx:
    """One TransactWriteItems with a label per item, in the order pynamodb sends them."""

    _KINDS = ("check", "delete", "put", "update")

    def __init__(self):
        self._tx = TransactWrite(connection=connection())
        self._labels: dict[str, list[str]] = {kind: [] for kind in self._KINDS}
        # the pros' dashboard counters, written by the same transaction (dal.pro_stats)
        self._stats = StatsDelta()

    def _add(self, kind: str, label: str) -> None:
        self._labels[kind].append(label)

    def labels(self) -> list[str]:
        return [label for kind in self._KINDS for label in self._labels[kind]]

    def put(self, item: BaseItem, label: str = "put", condition=None) -> None:
        self._tx.save(item, condition=condition)
        self._add("put", label)
        if isinstance(item, BookingItem):
            self._stats.request_created(item)

    def change_booking(self, change: BookingChange, label: str) -> None:
        booking = change.booking
        # the time too: a reschedule (SPEC §19) moves a CONFIRMED booking without changing its status
        condition = (BookingItem.status == change.expected_status) & (BookingItem.time_slot == booking.time_slot)
        if change.not_expired:
            condition &= BookingItem.expires_at > to_storage(change.now)
        if change.must_be_expired:
            condition &= BookingItem.expires_at <= to_storage(change.now)
        actions = [BookingItem.status.set(change.to_status),
                   BookingItem.updated_at.set(to_storage(change.now))]
        actions += [getattr(BookingItem, name).set(value) for name, value in change.fields.items()
                    if value is not None]
        if retention_keys := _retention_keys(booking, change.to_status):
            actions += [BookingItem.GSI3PK.set(retention_keys[0]),
                        BookingItem.GSI3SK.set(retention_keys[1])]
        elif change.to_status != "PENDING":
            actions += [BookingItem.GSI3PK.remove(), BookingItem.GSI3SK.remove()]
        if change.to_status != "CONFIRMED":  # no reminder for a booking no longer CONFIRMED
            actions += [BookingItem.GSI4PK.remove(), BookingItem.GSI4SK.remove()]
        self._tx.update(booking, actions=actions, condition=condition)
        self._add("update", label)
        self._stats.booking_changed(booking, change.expected_status, change.to_status, change.now,
                                    change.fields)

    def put_new_booking(self, booking: BookingItem) -> None:
        """A new booking (label "booking"); its id is new, so the condition only guards a replay."""
        self.put(booking, "booking", condition=BookingItem.PK.does_not_exist())

    def put_review(self, review: ReviewItem) -> None:
        """The booking's one review (label "review" fails when it has one already)."""
        self.put(review, "review", condition=ReviewItem.PK.does_not_exist())

    def reserve_active(self, booking: BookingItem) -> None:
        # ttl: a guard left by a completed booking (complete does not delete it: its slot is
        # over) goes away by itself a day after the slot, free of write units.
        expiry = int((from_storage(booking.time_slot) + ACTIVE_GUARD_KEPT_AFTER_SLOT).timestamp())
        item = ActiveBookingItem(*active_key(booking), booking_id=booking.booking_id, ttl=expiry)
        self.put(item, "duplicate", condition=ActiveBookingItem.PK.does_not_exist())

    def release_active(self, booking: BookingItem) -> None:
        self._tx.delete(ActiveBookingItem(*active_key(booking)))
        self._add("delete", "active")

    def add_to_pending_group(self, booking: BookingItem) -> None:
        group = PendingGroupItem(*group_key_of(booking))
        room = PendingGroupItem.pending_ids.does_not_exist() | (size(PendingGroupItem.pending_ids) < MAX_PENDING_PER_GROUP)
        self._tx.update(group, actions=[PendingGroupItem.pending_ids.add({booking.booking_id}),
                                        PendingGroupItem.pending_info.add({_pending_entry(booking)}),
                                        PendingGroupItem.version.add(1)], condition=room)
        self._add("update", "pending_limit")

    def remove_from_pending_group(self, removed: list[BookingItem],
                                  expected_version: int | None = None, check_version: bool = False) -> None:
        """Takes requests (of one group) out of the client's group; with check_version, only
        if nobody moved it since."""
        group = PendingGroupItem(*group_key_of(removed[0]))
        condition = None
        if check_version:
            condition = (PendingGroupItem.PK.does_not_exist() if expected_version is None
                         else PendingGroupItem.version == expected_version)
        actions = [PendingGroupItem.pending_ids.delete({b.booking_id for b in removed}),
                   PendingGroupItem.pending_info.delete({_pending_entry(b) for b in removed}),
                   PendingGroupItem.version.add(1)]
        self._tx.update(group, actions=actions, condition=condition)
        self._add("update", "group_version")

    def put_locks(self, pro_id: str, hours: list[datetime], booking_id: str, now: datetime) -> None:
        for hour in hours:
            self.put(new_lock(pro_id, hour, booking_id, now), "lock",
                     condition=SlotLockItem.PK.does_not_exist())

    def delete_locks(self, pro_id: str, hours: list[datetime], booking_id: str) -> None:
        for hour in hours:
            self._tx.delete(SlotLockItem(*lock_key(pro_id, hour)))
            self._add("delete", "lock_release")

    def update_user(self, user_id: str, actions: list, label: str = "user", guard=None) -> None:
        """`guard`: an extra condition on the user (a counter still at the value read)."""
        condition = UserItem.PK.exists() if guard is None else UserItem.PK.exists() & guard
        copies = write_account(self._tx, user_id, actions, condition)
        self._add("update", label)
        for _ in range(copies):  # a sanction's status/tier reaches the admin search's copies
            self._add("update", "name_copy")

    def check_slot_unlocked(self, pro_id: str, slot_start: datetime) -> None:
        """The pro hour holds no slot lock (a confirmed booking) when the transaction commits."""
        self._tx.condition_check(SlotLockItem, *lock_key(pro_id, slot_start),
                                 condition=SlotLockItem.PK.does_not_exist())
        self._add("check", "slot")

    def check_booking_status(self, booking_id: str, status: str) -> None:
        self._tx.condition_check(BookingItem, booking_pk(booking_id), "BOOKING",
                                 condition=BookingItem.status == status)
        self._add("check", "booking_status")

    def _write_stats(self) -> None:
        for item, actions in self._stats.updates():
            self._tx.update(item, actions=actions)
            self._add("update", "stats")
        self._stats = StatsDelta()

    def commit(self) -> None:
        self._write_stats()
        try:
            with self._tx:
                pass
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            reasons = error.cancellation_reasons or []
            labels = self.labels()
            failed = {labels[index] for index, reason in enumerate(reasons)
                      if reason and reason.code == "ConditionalCheckFailed" and index < len(labels)}
            retryable = any(reason and reason.code in ("TransactionConflict", "ThrottlingError")
                            for reason in reasons)
            raise TxFailed(failed, retryable and not failed) from error


def penalty_log(user_id: str, penalty_type: str, booking_id: str, now: datetime) -> PenaltyLogItem:
    created = to_storage(now)
    return PenaltyLogItem(f"USER#{user_id}", f"PENALTY#{created}#{penalty_type}", type=penalty_type,
                          user_id=user_id, booking_id=booking_id, created_at=created)


def new_review(booking: BookingItem, rating: int, comment: str | None, now: datetime) -> ReviewItem:
    created = to_storage(now)
    return ReviewItem(booking_pk(booking.booking_id), "REVIEW", booking_id=booking.booking_id,
                      client_id=booking.client_id, pro_id=booking.pro_id, rating=rating,
                      comment=comment, created_at=created,
                      GSI1PK=f"{PRO_REVIEWS_PREFIX}{booking.pro_id}",
                      GSI1SK=f"{created}#{booking.booking_id}")
