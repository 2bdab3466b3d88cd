"""Booking status changes (SPEC §6): confirm, decline, cancel, complete, review, and the system's
expiry and SLOT_TAKEN decline (create is in booking_requests.py, reads in bookings.py).

Every status change is one transaction built with khadamat.dal.bookings.BookingTx, holding the
booking's update (conditioned on the status read), its events, the 3-PENDING counter, the
duplicate guard, slot locks, penalties and the outbox messages. A transaction that loses a race
is decided again on what it lost to, a few times (``attempts``). See docs/bookings.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from khadamat import business_metrics as funnel
from khadamat.dal import bookings as store
from khadamat.dal import reschedule as changes
from khadamat.dal import tasks
from khadamat.dal import users
from khadamat.dal.outbox import new_outbox_item
from khadamat.domain import notifications
from khadamat.domain.accounts import Role, UserStatus
from khadamat.domain.booking_rules import (Action, Actor, EventType, Penalty, Status, check_can_confirm,
                                           check_can_review, decide, held_hours, is_effectively_expired)
from khadamat.domain.errors import Conflict, Forbidden
from khadamat.domain.penalties import (client_late_cancel_sanction, count_in_window, pro_cancels_after,
                                       pro_should_be_suspended, window_start)
from khadamat.domain.reschedule import next_reminder
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage
from khadamat.observability import current_correlation_id, follow_booking
from khadamat.usecases.booking_view import local_or_none, view_for, visible_booking

MAX_ATTEMPTS = 5
SLOT_TAKEN = "SLOT_TAKEN"
LATE_CANCEL_BAN_REASON = "5 annulations tardives en 30 jours"


# ---------------------------------------------------------------- the one retry helper
def attempts(give_up: bool = True) -> Iterator[int]:
    """The tries of a write that may lose a race: ``for _ in attempts(): read, decide, write``.
    After MAX_ATTEMPTS lost races, 409 CONFLICT (``give_up=False``: the loop just ends)."""
    yield from range(MAX_ATTEMPTS)
    if give_up:
        raise Conflict("too much contention, try again", "CONFLICT")


# ---------------------------------------------------------------- shared pieces
def add_outbox_message(tx: store.BookingTx, notice: notifications.Notice, recipient_id: str,
                       booking_id: str, now: datetime, counterpart_id: str | None = None,
                       correlation_id: str | None = None) -> None:
    """``counterpart_id``: the party whose name (and contact) the text shows, rendered when the
    message is sent or read (SPEC §13: no name or phone at rest). ``correlation_id``: the
    booking's originating request (its delivery logs carry it; None: this invocation's)."""
    tx.put(new_outbox_item(type=notice.type, recipient_id=recipient_id,
                           recipient_role=notice.recipient_role, channels=list(notice.channels),
                           booking_id=booking_id, title=notice.title, body=notice.body,
                           created_at=to_storage(now), counterpart_id=counterpart_id,
                           correlation_id=correlation_id or current_correlation_id(),
                           variables=list(notice.variables)), "outbox")


def event_item(booking: store.BookingItem, event_type: EventType, now: datetime, seq: int,
               actor: users.UserItem | None, metadata: dict | None = None) -> store.BookingEventItem:
    return store.new_event(booking.booking_id, event_type, now, seq,
                           actor_role=actor.role if actor else None,
                           actor_user_id=actor.user_id if actor else None, metadata=metadata)


def _other_party(booking: store.BookingItem, actor_role: str | None) -> tuple[str, str]:
    """Who hears about an ending: the client unless the client made it."""
    if actor_role == Role.CLIENT:
        return booking.pro_id, "PRO"
    return booking.client_id, "CLIENT"


def slot_start(booking: store.BookingItem) -> datetime:
    return from_storage(booking.time_slot)


def _decide(booking: store.BookingItem, action: Action, actor: Actor, now: datetime,
            reason: str | None = None):
    return decide(action, actor, Status(booking.status), slot_start(booking),
                  from_storage(booking.expires_at), now, reason)


def touched(booking: store.BookingItem, now: datetime) -> store.BookingItem:
    """"Any touch": a PENDING booking past its expiresAt is stored EXPIRED before anything else."""
    if is_effectively_expired(Status(booking.status), from_storage(booking.expires_at), now):
        return expire(booking, now) or store.get_booking(booking.booking_id) or booking
    return booking


def _change(booking, to_status, now, expected, **fields) -> store.BookingChange:
    return store.BookingChange(booking=booking, to_status=to_status, fields=fields, now=now,
                               expected_status=expected)


def _committed(tx: store.BookingTx) -> bool:
    """True when written; False when the booking moved meanwhile (the caller re-reads and decides)."""
    try:
        tx.commit()
        return True
    except store.TxFailed as failure:
        if failure.failed & {"booking", "user"} or failure.retryable:
            return False
        raise


# ---------------------------------------------------------------- system transitions
def expire(booking: store.BookingItem, now: datetime) -> store.BookingItem | None:
    """PENDING → EXPIRED once expiresAt has passed: the booking as written; None when someone
    else moved it first."""
    change = _change(booking, Status.EXPIRED, now, Status.PENDING)
    change.must_be_expired = True
    notice = notifications.booking_ended(Status.EXPIRED, "CLIENT", booking.category_id, slot_start(booking))
    return _end_pending_as_system(booking, change, event_item(booking, EventType.EXPIRED, now, 0, None),
                                  notice, now)


def decline_slot_taken(booking: store.BookingItem, now: datetime) -> store.BookingItem | None:
    """PENDING → DECLINED SLOT_TAKEN: the pro confirmed another booking in its hours."""
    change = _change(booking, Status.DECLINED, now, Status.PENDING, cancelled_at=to_storage(now),
                     cancel_reason=SLOT_TAKEN)
    event = event_item(booking, EventType.DECLINED, now, 0, None, {"cancelReason": SLOT_TAKEN})
    notice = notifications.booking_ended(Status.DECLINED, "CLIENT", booking.category_id,
                                         slot_start(booking), slot_taken=True)
    return _end_pending_as_system(booking, change, event, notice, now)


def _end_pending_as_system(booking: store.BookingItem, change, event, notice,
                           now: datetime) -> store.BookingItem | None:
    """A system move out of PENDING (expiry, auto-decline): one transaction, retried on races."""
    follow_booking(booking.origin_request_id)
    for _ in attempts(give_up=False):
        tx = store.BookingTx()
        tx.change_booking(change, "booking")
        tx.put(event)
        tx.release_active(booking)
        tx.remove_from_pending_group([booking])
        add_outbox_message(tx, notice, booking.client_id, booking.booking_id, now,
                           correlation_id=booking.origin_request_id)
        try:
            tx.commit()
            funnel.transition(funnel.BOOKING_EXPIRED if change.to_status == Status.EXPIRED
                              else funnel.BOOKING_DECLINED, booking.booking_id)
            return store.applied(change)
        except store.TxFailed as failure:
            if not failure.retryable:
                return None
    return None


# ---------------------------------------------------------------- confirm
def confirm(*, caller: users.UserItem, booking: store.BookingRef, estimated_duration: str | None,
            now: datetime, channel: str | None = None) -> dict:
    """``channel``: where the pro acted from when not the API (``WHATSAPP``: event metadata)."""
    check_can_confirm(caller.status, bool(caller.phone_verified))
    current, actor = visible_booking(booking, caller)
    hours = held_hours(slot_start(current), estimated_duration)
    duration = estimated_duration or "H1"
    for _ in attempts():
        current = touched(current, now)
        _decide(current, Action.CONFIRM, actor, now)
        try:
            confirmed, client = _write_confirm(current, caller, hours, duration, now, channel)
            break
        except store.TxFailed as failure:
            if "booking" in failure.failed:
                current = store.get_booking(booking.booking_id)
                continue  # _decide answers with the booking's new status
            if "lock" in failure.failed:
                raise Conflict("one of these hours is already taken", "SLOT_TAKEN")
            # another of the client's requests moved, or a transient conflict: read again
    funnel.transition(funnel.BOOKING_CONFIRMED, booking.booking_id)
    return view_for(caller, confirmed, {client.user_id: client} if client else None)


def _write_confirm(booking: store.BookingItem, pro: users.UserItem, hours: list[datetime],
                   duration: str, now: datetime, channel: str | None = None
                   ) -> tuple[store.BookingItem, users.UserItem | None]:
    """The confirm transaction; returns the booking as written and its client (read with the
    group: the answer shows the client's name and phone)."""
    group, client = store.group_and_client(booking)
    others = [other for other in group.others
              if not is_effectively_expired(Status.PENDING, from_storage(other.expires_at), now)]
    tx = store.BookingTx()
    change = _change(booking, Status.CONFIRMED, now, Status.PENDING, confirmed_at=to_storage(now),
                     estimated_duration=duration,
                     **changes.reminder_keys(booking.booking_id, next_reminder(slot_start(booking), now)))
    change.not_expired = True
    tx.change_booking(change, "booking")
    tx.put_locks(booking.pro_id, hours, booking.booking_id, now)
    tx.put(event_item(booking, EventType.CONFIRMED, now, 0, pro,
                      {"estimatedDuration": duration, "slots": [to_local_iso(h) for h in hours],
                       **({"channel": channel} if channel else {})}))
    # SPEC's "may follow just after": the pro's overlapping PENDING requests are declined by a
    # durable task, run from the table's stream (booking_follow_ups), not by this request.
    tx.put(tasks.new_decline_overlapping_task(pro_id=booking.pro_id, hours=hours,
                                              confirmed_booking_id=booking.booking_id, now=now,
                                              correlation_id=booking.origin_request_id), "task")
    for other in others:
        tx.change_booking(_change(other, Status.CANCELLED_AUTO_FIRST_CONFIRMED, now, Status.PENDING,
                                  cancelled_at=to_storage(now), cancel_reason="FIRST_CONFIRMED"),
                          f"other:{other.booking_id}")
        tx.put(event_item(other, EventType.CANCELLED, now, 0, None,
                          {"status": Status.CANCELLED_AUTO_FIRST_CONFIRMED, "confirmedBookingId": booking.booking_id}))
        tx.release_active(other)
        add_outbox_message(tx, notifications.booking_ended(Status.CANCELLED_AUTO_FIRST_CONFIRMED, "PRO",
                                                           other.category_id, slot_start(other)),
                           other.pro_id, other.booking_id, now, correlation_id=other.origin_request_id)
    tx.remove_from_pending_group([booking, *others], expected_version=group.version, check_version=True)
    add_outbox_message(tx, notifications.booking_confirmed(booking.category_id, slot_start(booking)),
                       booking.client_id, booking.booking_id, now, counterpart_id=booking.pro_id,
                       correlation_id=booking.origin_request_id)
    tx.commit()
    for other in others:  # the client's other requests, auto-cancelled
        funnel.transition(funnel.BOOKING_CANCELLED, other.booking_id)
    return store.applied(change), client


# ---------------------------------------------------------------- decline, cancel, complete
def decline(*, caller: users.UserItem, booking: store.BookingRef, reason: str | None,
            now: datetime, channel: str | None = None) -> dict:
    current, actor = visible_booking(booking, caller)
    for _ in attempts():
        current = touched(current, now)
        _decide(current, Action.DECLINE, actor, now)
        change = _change(current, Status.DECLINED, now, Status.PENDING, cancelled_at=to_storage(now),
                         cancel_reason=reason)
        change.not_expired = True
        tx = store.BookingTx()
        tx.change_booking(change, "booking")
        metadata = {**({"reason": reason} if reason else {}), **({"channel": channel} if channel else {})}
        tx.put(event_item(current, EventType.DECLINED, now, 0, caller, metadata or None))
        tx.release_active(current)
        tx.remove_from_pending_group([current])
        add_outbox_message(tx, notifications.booking_ended(Status.DECLINED, "CLIENT", current.category_id,
                                                           slot_start(current)),
                           current.client_id, current.booking_id, now, correlation_id=current.origin_request_id)
        if _committed(tx):
            funnel.transition(funnel.BOOKING_DECLINED, booking.booking_id)
            return view_for(caller, store.applied(change))
        current = store.get_booking(booking.booking_id)


def cancel(*, caller: users.UserItem, booking: store.BookingRef, reason: str | None,
           now: datetime) -> dict:
    current, actor = visible_booking(booking, caller)
    if actor is None:
        raise Forbidden("only the booking's client or pro may cancel it")
    for _ in attempts():
        current = touched(current, now)
        transition = _decide(current, Action.CANCEL, actor, now, reason)
        change = _change(current, transition.to_status, now, current.status,
                         cancelled_at=to_storage(now), cancel_reason=reason)
        tx = _cancel_tx(current, change, caller, actor, transition, reason, now)
        if _committed(tx):
            funnel.transition(funnel.BOOKING_CANCELLED, booking.booking_id)
            return view_for(caller, store.applied(change))
        # the booking or the canceller's penalty counters moved meanwhile: read both again
        current, caller = store.get_booking(booking.booking_id), users.get_user(caller.user_id)


def _cancel_tx(booking, change, caller, actor, transition, reason, now) -> store.BookingTx:
    from_pending = booking.status == Status.PENDING
    change.not_expired = from_pending
    tx = store.BookingTx()
    tx.change_booking(change, "booking")
    for seq, event_type in enumerate(transition.event_types):
        metadata = {"status": transition.to_status, **({"reason": reason} if reason else {})}
        if event_type == EventType.SLOTS_RELEASED:
            hours = held_hours(slot_start(booking), booking.estimated_duration)
            metadata = {"slots": [to_local_iso(h) for h in hours]}
            tx.delete_locks(booking.pro_id, hours, booking.booking_id)
        tx.put(event_item(booking, event_type, now, seq, caller, metadata))
    tx.release_active(booking)
    if from_pending:
        tx.remove_from_pending_group([booking])
    if transition.penalty == Penalty.CLIENT_CANCEL_LATE:
        _client_late_cancel_penalty(tx, caller, booking, now)
    if transition.penalty == Penalty.PRO_CANCEL_CONFIRMED:
        _pro_cancel_penalty(tx, caller, booking, now)
    recipient_id, role = _other_party(booking, actor.value)
    add_outbox_message(tx, notifications.booking_ended(transition.to_status, role, booking.category_id,
                                                       slot_start(booking)),
                       recipient_id, booking.booking_id, now, correlation_id=booking.origin_request_id)
    return tx


def _client_late_cancel_penalty(tx, client: users.UserItem, booking, now: datetime) -> None:
    since = window_start(now)
    earlier = [from_storage(t) for t in store.penalty_times(client.user_id, Penalty.CLIENT_CANCEL_LATE, since)]
    late_cancels = count_in_window(earlier, now) + 1
    current = from_storage(client.booking_cooldown_until) if client.booking_cooldown_until else None
    sanction = client_late_cancel_sanction(late_cancels, now, current)
    tx.put(store.penalty_log(client.user_id, Penalty.CLIENT_CANCEL_LATE, booking.booking_id, now))
    actions, guard = users.late_cancel_update(client, late_cancels, sanction.tier, sanction.cooldown_until,
                                              LATE_CANCEL_BAN_REASON if sanction.ban else None)
    tx.update_user(client.user_id, actions, guard=guard)


def _pro_cancel_penalty(tx, pro: users.UserItem, booking, now: datetime) -> None:
    cancels = pro_cancels_after([from_storage(t) for t in pro.pro_cancel_log or ()], now)
    consecutive = int(pro.pro_consecutive_cancel_count or 0) + 1
    tx.put(store.penalty_log(pro.user_id, Penalty.PRO_CANCEL_CONFIRMED, booking.booking_id, now))
    suspend = pro_should_be_suspended(len(cancels), consecutive) and pro.status == UserStatus.ACTIVE
    actions, guard = users.pro_cancel_update(pro, cancels, suspend)
    tx.update_user(pro.user_id, actions, guard=guard)


def complete(*, caller: users.UserItem, booking: store.BookingRef, now: datetime) -> dict:
    current, actor = visible_booking(booking, caller)
    for _ in attempts():
        current = touched(current, now)
        _decide(current, Action.COMPLETE, actor, now)
        change = _change(current, Status.COMPLETED, now, Status.CONFIRMED, completed_at=to_storage(now))
        tx = store.BookingTx()
        tx.change_booking(change, "booking")
        tx.put(event_item(current, EventType.COMPLETED, now, 0, caller))
        # The duplicate guard stays: its slot is over (no new request can name it) and its ttl
        # removes it (dal.bookings.reserve_active) — a delete here cost 2 write units.
        if int(caller.pro_consecutive_cancel_count or 0):
            # reset only a counter that is not 0 already: rewriting the pro's (> 1 KB, indexed)
            # item to the value it has cost 4 write units per booking
            tx.update_user(current.pro_id, users.cancel_streak_reset())
        if _committed(tx):
            funnel.transition(funnel.BOOKING_COMPLETED, booking.booking_id)
            return view_for(caller, store.applied(change))
        current = store.get_booking(booking.booking_id)


# ---------------------------------------------------------------- review
def review(*, caller: users.UserItem, booking: store.BookingRef, rating: int, comment: str | None,
           now: datetime) -> dict:
    current, actor = visible_booking(booking, caller)
    check_can_review(Status(current.status), actor)
    item = store.new_review(current, rating, comment, now)
    tx = store.BookingTx()
    # No condition check on the booking: COMPLETED is final (no transition leaves it), so the
    # status read above cannot change before the commit (2 write units saved).
    tx.put_review(item)
    tx.update_user(current.pro_id, users.rating_added(rating))
    try:
        tx.commit()
    except store.TxFailed as failure:
        if "review" in failure.failed:
            raise Conflict("this booking has already been reviewed", "ALREADY_REVIEWED")
        raise
    return {"bookingId": booking.booking_id, "proId": current.pro_id, "rating": rating, "comment": comment,
            "createdAt": local_or_none(item.created_at)}
