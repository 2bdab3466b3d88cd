"""Booking notification texts (SPEC §13): short French messages, Privacy Shield obeyed.

Who gets what: a new request → the pro (WhatsApp, push, inbox); CONFIRMED → the
client (WhatsApp, push, inbox); any cancellation, DECLINED or EXPIRED → the other
party (WhatsApp only to a client; push and inbox to both). A phone number appears
only in the CONFIRMED message to the client (the pro's WhatsApp, else phone).

No personal data at rest (SPEC §13): a stored text holds the placeholders ``{name}`` (the
other party's name) and ``{contact}`` (the contact line of a CONFIRMED message), filled by
``render`` when the message is sent or read, from the user items and the booking — so the
other party's DELETE /me leaves no name or phone of theirs in an outbox or inbox item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from khadamat.domain.reference import CATEGORY_NAMES
from khadamat.domain.timeutil import CASABLANCA

WHATSAPP, PUSH, INBOX = "WHATSAPP", "PUSH", "INBOX"


@dataclass(frozen=True, slots=True)
class Notice:
    type: str
    recipient_role: str  # CLIENT | PRO
    channels: tuple[str, ...]
    title: str
    body: str
    # the values of its WhatsApp template's body variables (SPEC §16, domain.whatsapp_templates),
    # with the {name}/{contact} placeholders of stored texts: no personal data at rest
    variables: tuple[str, ...] = ()


def channels_for(recipient_role: str) -> tuple[str, ...]:
    """Cancellations, declines and expiries: WhatsApp goes to clients only."""
    return (WHATSAPP, PUSH, INBOX) if recipient_role == "CLIENT" else (PUSH, INBOX)


def when_value(time_slot: datetime) -> str:
    """« 07/12/2026 à 10h00 », Casablanca time (a template variable)."""
    local = time_slot.astimezone(CASABLANCA)
    return f"{local:%d/%m/%Y} à {local:%H}h{local:%M}"


def when_text(time_slot: datetime) -> str:
    return f"le {when_value(time_slot)}"


def _what(category_id: str) -> str:
    return CATEGORY_NAMES.get(category_id, category_id)


NAME, CONTACT = "{name}", "{contact}"  # placeholders of stored texts, filled by render()
CONFIRMED_TYPE = "BOOKING_CONFIRMED"


def booking_requested(category_id: str, time_slot: datetime) -> Notice:
    return Notice("BOOKING_REQUESTED", "PRO", (WHATSAPP, PUSH, INBOX), "Nouvelle demande",
                  f"{NAME} demande une intervention {_what(category_id)} "
                  f"{when_text(time_slot)}. Confirmez ou refusez dans l'application.",
                  (NAME, _what(category_id), when_value(time_slot)))


def booking_confirmed(category_id: str, time_slot: datetime) -> Notice:
    return Notice(CONFIRMED_TYPE, "CLIENT", (WHATSAPP, PUSH, INBOX), "Réservation confirmée",
                  f"{NAME} a confirmé votre réservation {_what(category_id)} "
                  f"{when_text(time_slot)}.{CONTACT}",
                  (NAME, _what(category_id), when_value(time_slot), CONTACT))


def party_name(role: str, first_name: str | None, last_name: str | None, live: bool) -> str:
    """How a message names the other party: a pro by full name, a client by first name; an
    erased account by its role only."""
    if not live or not first_name:
        return "Le professionnel" if role == "PRO" else "Un client"
    return f"{first_name} {last_name}" if role == "PRO" and last_name else first_name


def render(text: str, name: str, contact: str | None) -> str:
    """A stored text with the other party's name and, when given, the contact line."""
    return text.replace(NAME, name).replace(CONTACT, f" Contact : {contact}." if contact else "")


_ENDINGS = {
    # to_status → (title, body ending) seen by the other party
    "DECLINED": ("Demande refusée", "a été refusée par le professionnel."),
    "SLOT_TAKEN": ("Demande refusée", "n'est plus possible : le créneau a été pris."),
    "EXPIRED": ("Demande expirée", "a expiré sans réponse du professionnel."),
    "CANCELLED_BY_CLIENT": ("Réservation annulée", "a été annulée par le client."),
    "CANCELLED_BY_CLIENT_LATE": ("Réservation annulée", "a été annulée par le client."),
    "CANCELLED_BY_PRO": ("Réservation annulée", "a été annulée par le professionnel."),
    "CANCELLED_AUTO_FIRST_CONFIRMED": ("Demande annulée",
                                       "a été annulée : le client a été confirmé par un autre professionnel."),
}


def booking_ended(to_status: str, recipient_role: str, category_id: str, time_slot: datetime,
                  slot_taken: bool = False) -> Notice:
    """A cancellation, a decline or an expiry, told to the other party; never a phone."""
    title, ending = _ENDINGS["SLOT_TAKEN" if slot_taken else to_status]
    return Notice(f"BOOKING_{to_status}", recipient_role, channels_for(recipient_role), title,
                  f"La réservation {_what(category_id)} {when_text(time_slot)} {ending}",
                  (_what(category_id), when_value(time_slot), "elle " + ending.rstrip(".")))
