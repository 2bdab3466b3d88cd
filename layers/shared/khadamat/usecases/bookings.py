"""Booking use cases (SPEC §6): read, list, events, confirm, decline, cancel, complete, review
(create is in booking_requests.py).

Every status change is one transaction built in khadamat.dal.bookings, holding the
booking's update (conditioned on the status read), its events, the 3-PENDING counter,
the duplicate guard, slot locks, penalties and the outbox messages. See docs/bookings.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from khadamat import business_metrics as funnel
from khadamat import clock
from khadamat.dal import bookings as store
from khadamat.dal import reschedule as changes
from khadamat.dal import tasks
from khadamat.dal import users
from khadamat.dal.base import PageScope
from khadamat.dal.outbox import new_outbox_item
from khadamat.domain import notifications
from khadamat.domain.accounts import Role, UserStatus
from khadamat.domain.booking_rules import (Action, Actor, EventType, Penalty, Status, decide,
                                           held_hours, is_effectively_expired, phones_visible)
from khadamat.domain.errors import Conflict, Forbidden, NotFound, Unprocessable
from khadamat.domain.reschedule import is_open, next_reminder
from khadamat.domain.penalties import (PENALTY_WINDOW_DAYS, client_late_cancel_sanction,
                                       count_in_window, pro_should_be_suspended)
from khadamat.domain.timeutil import HOUR, from_storage, to_local_iso, to_storage
from khadamat.observability import current_correlation_id, follow_booking, logger

MAX_ATTEMPTS = 5
NOT_READ = object()  # `booking=` default: the use case reads the booking itself
SLOT_TAKEN = "SLOT_TAKEN"


# ---------------------------------------------------------------- the one serializer
def _plain(value) -> dict:
    return value.as_dict() if hasattr(value, "as_dict") else dict(value)


def local_or_none(text: str | None) -> str | None:
    return to_local_iso(from_storage(text)) if text else None


def booking_view(booking: store.BookingItem, people: dict[str, users.UserItem],
                 viewer_is_admin: bool) -> dict:
    """Every booking the API returns goes through here: the Privacy Shield lives in this function."""
    show_phones = phones_visible(Status(booking.status), viewer_is_admin)
    client, pro = people.get(booking.client_id), people.get(booking.pro_id)
    return {
        "id": booking.booking_id, "status": booking.status, "timeSlot": local_or_none(booking.time_slot),
        "cityId": booking.city_id, "categoryId": booking.category_id,
        "clientId": booking.client_id, "proId": booking.pro_id,
        "expiresAt": local_or_none(booking.expires_at), "confirmedAt": local_or_none(booking.confirmed_at),
        "cancelledAt": local_or_none(booking.cancelled_at), "completedAt": local_or_none(booking.completed_at),
        "estimatedDuration": booking.estimated_duration, "cancelReason": booking.cancel_reason,
        "createdAt": local_or_none(booking.created_at), "updatedAt": local_or_none(booking.updated_at),
        "client": {"id": booking.client_id, "firstName": client.first_name if client else None,
                   "lastName": client.last_name if client else None,
                   "phone": client.phone if client and show_phones else None},
        "pro": {"id": booking.pro_id, "firstName": pro.first_name if pro else None,
                "lastName": pro.last_name if pro else None,
                "phone": pro.phone if pro and show_phones else None,
                "whatsapp": (pro.whatsapp or pro.phone) if pro and show_phones else None},
        "proposal": open_proposal_view(booking, clock.now()) if getattr(booking, "proposal_id", None) else None,
    }


def open_proposal_view(booking: store.BookingItem, now: datetime) -> dict | None:
    """SPEC §19: the booking's open reschedule proposal (None once answered or lapsed)."""
    proposal = changes.proposal_of(booking)
    if booking.status != Status.CONFIRMED or not is_open(proposal, now):
        return None
    return {"proposalId": proposal.proposal_id, "timeSlot": to_local_iso(proposal.time_slot),
            "proposedBy": str(proposal.proposed_by), "expiresAt": to_local_iso(proposal.expires_at)}


def _view(booking: store.BookingItem, caller: users.UserItem,
          people: dict[str, users.UserItem] | None = None) -> dict:
    """The caller (and any party already in hand) is not read again: one read for the rest."""
    people = {caller.user_id: caller, **(people or {})}
    missing = {booking.client_id, booking.pro_id} - people.keys()
    if missing:
        people.update(store.get_users(missing))
    return booking_view(booking, people, caller.role == Role.ADMIN)


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


def _load_visible(booking_id: str, caller: users.UserItem,
                  booking=NOT_READ) -> tuple[store.BookingItem, Actor | None]:
    """The booking and the caller's side of it; 404 for anyone but its client, its pro, admins.

    ``booking``: the item read with the caller in this invocation (None: absent), if any."""
    if booking is NOT_READ or (booking is not None and booking.booking_id != booking_id):
        booking = store.get_booking(booking_id) if len(booking_id) <= store.MAX_BOOKING_ID_LENGTH else None
    if booking is not None:
        follow_booking(booking.origin_request_id)
        if caller.user_id == booking.client_id:
            return booking, Actor.CLIENT
        if caller.user_id == booking.pro_id:
            return booking, Actor.PRO
        if caller.role == Role.ADMIN:
            return booking, None
    raise NotFound("no such booking")


def _touch(booking: store.BookingItem, now: datetime) -> store.BookingItem:
    """"Any touch": a PENDING booking past its expiresAt is stored EXPIRED before anything else."""
    if is_effectively_expired(Status(booking.status), from_storage(booking.expires_at), now):
        return expire(booking, now) or store.get_booking(booking.booking_id) or booking
    return booking


# ---------------------------------------------------------------- reads
def get_booking(*, caller: users.UserItem, booking_id: str, now: datetime,
                booking=NOT_READ) -> dict:
    booking, _ = _load_visible(booking_id, caller, booking)
    return _view(_touch(booking, now), caller)


def list_bookings(*, caller: users.UserItem, status: str | None, limit: int,
                  next_token: str | None) -> dict:
    if status is not None and status not in Status.__members__:
        raise Unprocessable(f"status must be one of {', '.join(Status)}")
    scope = PageScope("GET /bookings", caller.user_id, {"status": status})
    items, token = store.query_bookings(as_pro=caller.role == Role.PRO, user_id=caller.user_id,
                                        status=status, limit=limit, next_token=next_token,
                                        scope=scope)
    people = store.get_users({b.client_id for b in items} | {b.pro_id for b in items})
    return {"items": [booking_view(b, people, False) for b in items], "nextToken": token}


def booking_events(*, caller: users.UserItem, booking_id: str, now: datetime,
                   booking=NOT_READ) -> dict:
    booking, _ = _load_visible(booking_id, caller, booking)
    _touch(booking, now)
    return {"items": [event_view(e) for e in store.list_events(booking_id)]}


def event_view(event: store.BookingEventItem) -> dict:
    return {"type": event.type, "actorRole": event.actor_role, "actorUserId": event.actor_user_id,
            "createdAt": local_or_none(event.created_at), "metadata": event.metadata or {}}


# ---------------------------------------------------------------- system transitions
def _change(booking, to_status, now, expected, **fields) -> store.BookingChange:
    return store.BookingChange(booking=booking, to_status=to_status, fields=fields, now=now,
                               expected_status=expected)


def expire(booking: store.BookingItem, now: datetime) -> store.BookingItem | None:
    """PENDING → EXPIRED once expiresAt has passed: the booking as written; None when someone
    else moved it first."""
    change = _change(booking, Status.EXPIRED, now, Status.PENDING)
    change.must_be_expired = True
    notice = notifications.booking_ended(Status.EXPIRED, "CLIENT", booking.category_id, slot_start(booking))
    return _end_pending_as_system(booking, change, event_item(booking, EventType.EXPIRED, now, 0, None),
                                  notice, now)


def _decline_slot_taken(booking: store.BookingItem, now: datetime) -> store.BookingItem | None:
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
    for _ in range(MAX_ATTEMPTS):
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


def decline_overlapping_pending(pro_id: str, hours: list[datetime], confirmed_id: str,
                                now: datetime) -> int:
    """After a confirm: the pro's other PENDING bookings in the held hours → DECLINED SLOT_TAKEN
    (EXPIRED when already past their expiry). Idempotent: each change is conditional on PENDING."""
    declined = 0
    for other in store.pro_bookings_between(pro_id, hours[0], hours[-1] + HOUR):
        if other.booking_id == confirmed_id or other.status != Status.PENDING:
            continue
        if is_effectively_expired(Status.PENDING, from_storage(other.expires_at), now):
            ended = expire(other, now)
        else:
            ended = _decline_slot_taken(other, now)
            declined += ended is not None
        if ended is None and getattr(store.get_booking(other.booking_id), "status", None) == Status.PENDING:
            raise FollowUpIncomplete(f"booking {other.booking_id} is still PENDING after its retries")
    return declined


# ---------------------------------------------------------------- follow-up tasks (docs/bookings.md)
FOLLOW_UP_STUCK_AFTER = timedelta(minutes=1)


class FollowUpIncomplete(Exception):
    """A booking the task must end is still PENDING (its writes kept losing races): run it again."""


def run_follow_up(task: tasks.TaskItem, now: datetime) -> dict:
    """A confirm's follow-up task; safe to run twice, or twice at once."""
    if task.kind != tasks.DECLINE_OVERLAPPING:
        raise ValueError(f"unknown task kind {task.kind!r}")
    hours = [from_storage(hour) for hour in task.hours]
    declined = decline_overlapping_pending(task.pro_id, hours, task.confirmed_booking_id, now)
    tasks.mark_done(task, now)
    return {"taskId": task.task_id, "declined": declined}


def run_follow_up_record(record: dict, now: datetime) -> dict:
    """One DynamoDB stream record (INSERT of a TASK#… item). A failed run puts the task in the
    retry index (the retry-follow-ups job's safety net) before Lambda retries the record."""
    task = tasks.task_from_image(record["dynamodb"]["NewImage"])
    try:
        return run_follow_up(task, now)
    except Exception:
        tasks.mark_for_retry(task)
        raise


def retry_stuck_follow_ups(now: datetime) -> dict:
    """The safety net behind the stream: tasks whose run failed (GSI3 TASK_RETRY), a minute after
    they were written."""
    summary = {"ran": 0, "failed": 0}
    stuck = tasks.pending_tasks(created_before=now - FOLLOW_UP_STUCK_AFTER, limit=100)  # oldest first
    funnel.backlog_age(funnel.FOLLOW_UP_BACKLOG_AGE,
                       (now - from_storage(stuck[0].created_at)).total_seconds() if stuck else 0)
    for task in stuck:
        try:
            run_follow_up(task, now)
            summary["ran"] += 1
        except Exception:  # noqa: BLE001 - one failing task never holds back the others
            logger.exception("follow-up task failed", extra={"taskId": task.task_id})
            summary["failed"] += 1
    return summary


# ---------------------------------------------------------------- confirm
def confirm(*, caller: users.UserItem, booking_id: str, estimated_duration: str | None,
            now: datetime, booking=NOT_READ, channel: str | None = None) -> dict:
    """``channel``: where the pro acted from when not the API (``WHATSAPP``: event metadata)."""
    if caller.status == UserStatus.SUSPENDED:
        raise Forbidden("this pro account is suspended", "ACCOUNT_SUSPENDED")
    if not caller.phone_verified:  # SPEC §15: the client will be given this phone
        raise Forbidden("verify your phone before confirming (POST /auth/otp/send)", "PHONE_NOT_VERIFIED")
    booking, actor = _load_visible(booking_id, caller, booking)
    hours = held_hours(slot_start(booking), estimated_duration)
    duration = estimated_duration or "H1"
    for _ in range(MAX_ATTEMPTS):
        booking = _touch(booking, now)
        _decide(booking, Action.CONFIRM, actor, now)
        try:
            confirmed, client = _write_confirm(booking, caller, hours, duration, now, channel)
            break
        except store.TxFailed as failure:
            if "booking" in failure.failed:
                booking = store.get_booking(booking_id)
                continue  # _decide answers with the booking's new status
            if "lock" in failure.failed:
                raise Conflict("one of these hours is already taken", "SLOT_TAKEN")
            # another of the client's requests moved, or a transient conflict: read again
    else:
        raise Conflict("too much contention, try again", "CONFLICT")
    funnel.transition(funnel.BOOKING_CONFIRMED, booking_id)
    return _view(confirmed, caller, {client.user_id: client} if client else None)


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
    # durable task, run from the table's stream (run_follow_up), not by this request.
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
def decline(*, caller: users.UserItem, booking_id: str, reason: str | None, now: datetime,
            booking=NOT_READ, channel: str | None = None) -> dict:
    booking, actor = _load_visible(booking_id, caller, booking)
    for _ in range(MAX_ATTEMPTS):
        booking = _touch(booking, now)
        _decide(booking, Action.DECLINE, actor, now)
        change = _change(booking, Status.DECLINED, now, Status.PENDING, cancelled_at=to_storage(now),
                         cancel_reason=reason)
        change.not_expired = True
        tx = store.BookingTx()
        tx.change_booking(change, "booking")
        metadata = {**({"reason": reason} if reason else {}), **({"channel": channel} if channel else {})}
        tx.put(event_item(booking, EventType.DECLINED, now, 0, caller, metadata or None))
        tx.release_active(booking)
        tx.remove_from_pending_group([booking])
        add_outbox_message(tx, notifications.booking_ended(Status.DECLINED, "CLIENT", booking.category_id, slot_start(booking)),
                booking.client_id, booking.booking_id, now, correlation_id=booking.origin_request_id)
        if _committed(tx):
            funnel.transition(funnel.BOOKING_DECLINED, booking_id)
            return _view(store.applied(change), caller)
        booking = store.get_booking(booking_id)
    raise Conflict("too much contention, try again", "CONFLICT")


def _committed(tx: store.BookingTx) -> bool:
    """True when written; False when the booking moved meanwhile (the caller re-reads and decides)."""
    try:
        tx.commit()
        return True
    except store.TxFailed as failure:
        if failure.failed & {"booking", "user"} or failure.retryable:
            return False
        raise


def cancel(*, caller: users.UserItem, booking_id: str, reason: str | None, now: datetime,
           booking=NOT_READ) -> dict:
    booking, actor = _load_visible(booking_id, caller, booking)
    if actor is None:
        raise Forbidden("only the booking's client or pro may cancel it")
    for _ in range(MAX_ATTEMPTS):
        booking = _touch(booking, now)
        transition = _decide(booking, Action.CANCEL, actor, now, reason)
        change = _change(booking, transition.to_status, now, booking.status,
                         cancelled_at=to_storage(now), cancel_reason=reason)
        tx = _cancel_tx(booking, change, caller, actor, transition, reason, now)
        if _committed(tx):
            funnel.transition(funnel.BOOKING_CANCELLED, booking_id)
            return _view(store.applied(change), caller)
        # the booking or the canceller's penalty counters moved meanwhile: read both again
        booking, caller = store.get_booking(booking_id), users.get_user(caller.user_id)
    raise Conflict("too much contention, try again", "CONFLICT")


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
    add_outbox_message(tx, notifications.booking_ended(transition.to_status, role, booking.category_id, slot_start(booking)),
            recipient_id, booking.booking_id, now, correlation_id=booking.origin_request_id)
    return tx


def _client_late_cancel_penalty(tx, client: users.UserItem, booking, now: datetime) -> None:
    since = now - timedelta(days=PENALTY_WINDOW_DAYS)
    earlier = [from_storage(t) for t in store.penalty_times(client.user_id, Penalty.CLIENT_CANCEL_LATE, since)]
    late_cancels = count_in_window(earlier, now) + 1
    current = from_storage(client.booking_cooldown_until) if client.booking_cooldown_until else None
    sanction = client_late_cancel_sanction(late_cancels, now, current)
    tx.put(store.penalty_log(client.user_id, Penalty.CLIENT_CANCEL_LATE, booking.booking_id, now))
    actions = [users.UserItem.late_cancel_count_30d.set(late_cancels),
               users.UserItem.sanction_tier.set(sanction.tier)]
    if sanction.cooldown_until:
        actions.append(users.UserItem.booking_cooldown_until.set(to_storage(sanction.cooldown_until)))
    if sanction.ban:
        actions += [users.UserItem.status.set(UserStatus.BANNED),
                    users.UserItem.ban_reason.set("5 annulations tardives en 30 jours")]
    # two late cancels at once must not both count as the same n
    tx.update_user(client.user_id, actions,
                   guard=_still(users.UserItem.late_cancel_count_30d, int(client.late_cancel_count_30d or 0)))


def _still(counter, value: int):
    """Condition: the counter is still at the value read (absent counts as 0)."""
    return (counter == value) | counter.does_not_exist() if value == 0 else counter == value


def _pro_cancel_penalty(tx, pro: users.UserItem, booking, now: datetime) -> None:
    since = now - timedelta(days=PENALTY_WINDOW_DAYS)
    log = [t for t in pro.pro_cancel_log or () if from_storage(t) > since] + [to_storage(now)]
    consecutive = int(pro.pro_consecutive_cancel_count or 0) + 1
    tx.put(store.penalty_log(pro.user_id, Penalty.PRO_CANCEL_CONFIRMED, booking.booking_id, now))
    actions = [users.UserItem.pro_cancel_log.set(log),
               users.UserItem.pro_cancel_count_30d.set(len(log)),
               users.UserItem.pro_consecutive_cancel_count.set(consecutive)]
    if pro_should_be_suspended(len(log), consecutive) and pro.status == UserStatus.ACTIVE:
        actions.append(users.UserItem.status.set(UserStatus.SUSPENDED))
    tx.update_user(pro.user_id, actions,
                   guard=_still(users.UserItem.pro_consecutive_cancel_count, consecutive - 1))


def complete(*, caller: users.UserItem, booking_id: str, now: datetime,
             booking=NOT_READ) -> dict:
    booking, actor = _load_visible(booking_id, caller, booking)
    for _ in range(MAX_ATTEMPTS):
        booking = _touch(booking, now)
        _decide(booking, Action.COMPLETE, actor, now)
        change = _change(booking, Status.COMPLETED, now, Status.CONFIRMED, completed_at=to_storage(now))
        tx = store.BookingTx()
        tx.change_booking(change, "booking")
        tx.put(event_item(booking, EventType.COMPLETED, now, 0, caller))
        # The duplicate guard stays: its slot is over (no new request can name it) and its ttl
        # removes it (dal.bookings.reserve_active) — a delete here cost 2 write units.
        if int(caller.pro_consecutive_cancel_count or 0):
            # reset only a counter that is not 0 already: rewriting the pro's (> 1 KB, indexed)
            # item to the value it has cost 4 write units per booking
            tx.update_user(booking.pro_id, [users.UserItem.pro_consecutive_cancel_count.set(0)])
        if _committed(tx):
            funnel.transition(funnel.BOOKING_COMPLETED, booking_id)
            return _view(store.applied(change), caller)
        booking = store.get_booking(booking_id)
    raise Conflict("too much contention, try again", "CONFLICT")


# ---------------------------------------------------------------- review
def review(*, caller: users.UserItem, booking_id: str, rating: int, comment: str | None,
           now: datetime, booking=NOT_READ) -> dict:
    booking, actor = _load_visible(booking_id, caller, booking)
    if actor != Actor.CLIENT:
        raise NotFound("no such booking")
    if booking.status != Status.COMPLETED:
        raise Conflict("only a completed booking can be reviewed", "INVALID_TRANSITION")
    item = store.new_review(booking, rating, comment, now)
    tx = store.BookingTx()
    # No condition check on the booking: COMPLETED is final (no transition leaves it), so the
    # status read above cannot change before the commit (2 write units saved).
    tx.put(item, "review", condition=store.review_condition())
    tx.update_user(booking.pro_id, [users.UserItem.rating_sum.add(rating),
                                    users.UserItem.rating_count.add(1)])
    try:
        tx.commit()
    except store.TxFailed as failure:
        if "review" in failure.failed:
            raise Conflict("this booking has already been reviewed", "ALREADY_REVIEWED")
        raise
    return {"bookingId": booking_id, "proId": booking.pro_id, "rating": rating, "comment": comment,
            "createdAt": local_or_none(item.created_at)}
