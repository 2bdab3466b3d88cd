"""What the API shows of a booking (SPEC §6, §13): the one serializer, with the Privacy Shield,
and who may see a booking at all.

Every booking the API returns goes through ``booking_view``; the use cases that change a
booking (booking_transitions.py, booking_requests.py, reschedule.py) answer with it too.
"""

from __future__ import annotations

from datetime import datetime

from khadamat import clock
from khadamat.dal import bookings as store
from khadamat.dal import reschedule as changes
from khadamat.dal import users
from khadamat.domain.accounts import Role
from khadamat.domain.booking_rules import Actor, Status, phones_visible
from khadamat.domain.errors import NotFound
from khadamat.domain.reschedule import is_open
from khadamat.domain.timeutil import from_storage, to_local_iso
from khadamat.observability import follow_booking


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


def view_for(caller: users.UserItem, booking: store.BookingItem,
             people: dict[str, users.UserItem] | None = None) -> dict:
    """The booking as ``caller`` sees it. The caller (and any party already in hand) is not
    read again: one read for the rest."""
    people = {caller.user_id: caller, **(people or {})}
    missing = {booking.client_id, booking.pro_id} - people.keys()
    if missing:
        people.update(users.get_users(missing))
    return booking_view(booking, people, caller.role == Role.ADMIN)


def event_view(event: store.BookingEventItem) -> dict:
    return {"type": event.type, "actorRole": event.actor_role, "actorUserId": event.actor_user_id,
            "createdAt": local_or_none(event.created_at), "metadata": event.metadata or {}}


def visible_booking(ref: store.BookingRef, caller: users.UserItem) -> tuple[store.BookingItem, Actor | None]:
    """The booking and the caller's side of it (None: an admin); 404 for anyone but its client,
    its pro and admins, as for a booking that does not exist."""
    booking = ref.booking()
    if booking is not None:
        follow_booking(booking.origin_request_id)
        if caller.user_id == booking.client_id:
            return booking, Actor.CLIENT
        if caller.user_id == booking.pro_id:
            return booking, Actor.PRO
        if caller.role == Role.ADMIN:
            return booking, None
    raise NotFound("no such booking")
