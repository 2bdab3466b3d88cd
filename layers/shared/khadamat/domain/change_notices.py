"""Messages of the booking changes (SPEC §19), French, Privacy Shield obeyed (no phone, no
name: the texts name the category and the times only, so nothing personal rests in an outbox
item or an inbox).

Issue 17's seam (WhatsApp templates by Content SID): each message type below becomes a
template. BOOKING_RESCHEDULE_PROPOSED carries the quick replies « Accepter » / « Refuser »
whose signed payloads name the booking, the proposal id and the action; the inbound handler
then calls khadamat.usecases.reschedule.answer(accepting=…) for the sender's account, exactly as
the API does. BOOKING_REMINDER is a UTILITY template with the category and the local time.
"""

from __future__ import annotations

from datetime import datetime

from khadamat.domain.notifications import INBOX, PUSH, WHATSAPP, Notice, _what, when_text, when_value

RESCHEDULE_PROPOSED = "BOOKING_RESCHEDULE_PROPOSED"
RESCHEDULED = "BOOKING_RESCHEDULED"
RESCHEDULE_DECLINED = "BOOKING_RESCHEDULE_DECLINED"
RESCHEDULE_WITHDRAWN = "BOOKING_RESCHEDULE_WITHDRAWN"
REMINDER = "BOOKING_REMINDER"
_PARTY = {"CLIENT": "Le client", "PRO": "Le professionnel"}
_ALL = (WHATSAPP, PUSH, INBOX)


def reschedule_proposed(recipient_role: str, proposer_role: str, category_id: str,
                        current_slot: datetime, new_slot: datetime) -> Notice:
    return Notice(RESCHEDULE_PROPOSED, recipient_role, _ALL, "Nouveau créneau proposé",
                  f"{_PARTY[proposer_role]} propose de déplacer la réservation {_what(category_id)} "
                  f"{when_text(current_slot)} au {when_text(new_slot)[3:]}. "
                  "Acceptez ou refusez dans l'application.",
                  (_PARTY[proposer_role], _what(category_id), when_value(current_slot), when_value(new_slot)))


def rescheduled(recipient_role: str, category_id: str, old_slot: datetime, new_slot: datetime) -> Notice:
    return Notice(RESCHEDULED, recipient_role, _ALL, "Réservation déplacée",
                  f"La réservation {_what(category_id)} {when_text(old_slot)} est déplacée au "
                  f"{when_text(new_slot)[3:]}.",
                  (_what(category_id), when_value(old_slot), when_value(new_slot)))


def reschedule_dropped(recipient_role: str, withdrawn: bool, category_id: str,
                       current_slot: datetime, new_slot: datetime) -> Notice:
    """The other party's refusal (told to the author) or the author's withdrawal."""
    what = "retirée" if withdrawn else "refusée"
    return Notice(RESCHEDULE_WITHDRAWN if withdrawn else RESCHEDULE_DECLINED, recipient_role, (PUSH, INBOX),
                  f"Proposition {what}",
                  f"La proposition de déplacer la réservation {_what(category_id)} au "
                  f"{when_text(new_slot)[3:]} a été {what}. La réservation reste "
                  f"{when_text(current_slot)}.")


def reminder(recipient_role: str, kind: str, category_id: str, time_slot: datetime) -> Notice:
    soon = "demain" if kind == "H24" else "dans 2 heures"
    return Notice(REMINDER, recipient_role, (WHATSAPP, PUSH), "Rappel de réservation",
                  f"Rappel : votre réservation {_what(category_id)} a lieu {soon}, {when_text(time_slot)}.",
                  (_what(category_id), soon, when_value(time_slot)))
