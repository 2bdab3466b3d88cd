"""POST /bookings (SPEC §6): a client's request for a pro's hour.

Apart from the transitions (booking_transitions.py) because only this use case reads the pro's
profile rules (usecases.pros: services, Premium, weekly hours, exceptions); the other
booking functions do not import them (cold start, docs/quality.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from khadamat import business_metrics as funnel
from khadamat.dal import bookings as store
from khadamat.dal import users
from khadamat.observability import current_correlation_id, follow_booking
from khadamat.domain import notifications
from khadamat.domain.booking_rules import expires_at_for, validate_new_booking_slot
from khadamat.domain.errors import Conflict, Forbidden, Unprocessable
from khadamat.domain.penalties import is_in_cooldown
from khadamat.domain.timeutil import from_storage, parse_timestamp
from khadamat.usecases import pros
from khadamat.usecases.booking_transitions import add_outbox_message, attempts, slot_start
from khadamat.usecases.booking_view import booking_view, local_or_none

MAX_IDEMPOTENCY_KEY_LENGTH = 255


def create_booking(*, caller: users.UserItem, pro_id: str, category_id: str, time_slot: str,
                   now: datetime) -> dict:
    """Checks in SPEC order; the slot lock, duplicate and 3-PENDING rules are conditions of the
    write (mapped in that order of meaning when several fail)."""
    cooldown = caller.booking_cooldown_until
    if is_in_cooldown(from_storage(cooldown) if cooldown else None, now):
        raise Forbidden(f"bookings are paused until {local_or_none(cooldown)}", "COOLDOWN_ACTIVE")
    if not caller.phone_verified:  # SPEC §15: a client books once its phone is proven
        raise Forbidden("verify your phone before booking (POST /auth/otp/send)", "PHONE_NOT_VERIFIED")
    try:
        slot = parse_timestamp(time_slot)
    except ValueError:
        raise Unprocessable("timeSlot must be an ISO-8601 timestamp")
    validate_new_booking_slot(slot, now)
    pro = pros.find_bookable_pro(pro_id)
    price = pros.require_offered_category(pro, category_id, now)
    if not pros.is_slot_open_for(pro, slot, now):
        raise _slot_unavailable()
    origin = current_correlation_id()  # this request: the booking's id in every later log record
    booking = store.new_booking(booking_id=str(uuid.uuid4()), client_id=caller.user_id,
                                pro_id=pro_id, city_id=pro.city_id, category_id=category_id,
                                time_slot=slot, expires_at=expires_at_for(now, slot), now=now,
                                origin_request_id=origin, price=price)
    follow_booking(origin)
    _write_new_booking(booking, caller, now)
    return booking_view(booking, {caller.user_id: caller, pro_id: pro}, False)


def _slot_unavailable() -> Conflict:
    return Conflict("this slot is not available", "SLOT_UNAVAILABLE")


def _write_new_booking(booking: store.BookingItem, client: users.UserItem, now: datetime) -> None:
    for _ in attempts():
        tx = store.BookingTx()
        tx.check_slot_unlocked(booking.pro_id, slot_start(booking))
        tx.put_new_booking(booking)
        tx.reserve_active(booking)
        tx.add_to_pending_group(booking)
        add_outbox_message(tx, notifications.booking_requested(booking.category_id, slot_start(booking)),
                           booking.pro_id, booking.booking_id, now, counterpart_id=client.user_id,
                           correlation_id=booking.origin_request_id)
        try:
            tx.commit()
            funnel.transition(funnel.BOOKING_CREATED, booking.booking_id)
            return
        except store.TxFailed as failure:
            if "slot" in failure.failed:
                raise _slot_unavailable()
            if "duplicate" in failure.failed:
                raise Conflict("you already booked this pro at this slot", "DUPLICATE_BOOKING")
            if "pending_limit" in failure.failed:
                raise Conflict("you already have 3 pending requests for this city and category",
                               "PENDING_LIMIT_REACHED")
            if not failure.retryable:
                raise


def create_booking_once(*, caller: users.UserItem, body: dict, idempotency_key: str | None,
                        now: datetime, lambda_context=None) -> dict:
    """POST /bookings with an optional Idempotency-Key (Powertools idempotency, same table;
    ``lambda_context`` bounds an in-progress record by the invocation's remaining time)."""
    def create(request: dict) -> dict:
        return create_booking(caller=caller, pro_id=body["proId"], category_id=body["categoryId"],
                              time_slot=body["timeSlot"], now=now)

    if not idempotency_key:
        return create({})
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise Unprocessable(f"Idempotency-Key must be at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    from khadamat.dal.idempotency import run_once  # only requests with a key pay its import

    return run_once(create, {"userId": caller.user_id, "key": idempotency_key, "body": body},
                    lambda_context)
