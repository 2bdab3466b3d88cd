"""What a WhatsApp message can ask (SPEC §16): signed quick-reply payloads, STOP/ARRET/START.

A quick-reply payload names the action, the booking and the pro it was sent to, and carries an
HMAC-SHA256 over them with the WhatsApp action secret (Secrets Manager; env locally): a forged
or altered payload, or one sent to another pro, verifies as nothing and acts on nothing.
Format: ``<C|D>.<bookingId>.<base64url(hmac)[:32]>`` (short: WhatsApp shows no payload, Twilio
posts it back as ``ButtonPayload``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from khadamat.domain.timeutil import from_storage

CONFIRM, DECLINE = "CONFIRM", "DECLINE"
_CODES = {CONFIRM: "C", DECLINE: "D"}
_ACTIONS = {code: action for action, code in _CODES.items()}
OPT_OUT_WORDS = {"STOP", "ARRET", "ARRETER", "STOPALL", "UNSUBSCRIBE"}
OPT_IN_WORDS = {"START", "UNSTOP"}
# A business may answer free-form for 24 h after the person's last message (WhatsApp's session).
SESSION_WINDOW = timedelta(hours=24)


def in_session(last_inbound_at: str | None, now: datetime) -> bool:
    """Free-form text may go to a number that wrote to us in the last 24 hours."""
    return last_inbound_at is not None and now - from_storage(last_inbound_at) < SESSION_WINDOW


@dataclass(frozen=True, slots=True)
class ButtonAction:
    action: str  # CONFIRM | DECLINE
    booking_id: str


def _signature(secret: str, action: str, booking_id: str, pro_id: str) -> str:
    mac = hmac.new(secret.encode(), f"{action}|{booking_id}|{pro_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:32]


def sign_payload(secret: str, action: str, booking_id: str, pro_id: str) -> str:
    return f"{_CODES[action]}.{booking_id}.{_signature(secret, action, booking_id, pro_id)}"


def read_payload(secret: str, payload: str | None, sender_id: str) -> ButtonAction | None:
    """The action of a payload signed for this sender, else None (forged, altered, another's)."""
    parts = (payload or "").split(".")
    if len(parts) != 3 or parts[0] not in _ACTIONS or not 0 < len(parts[1]) <= 64:
        return None
    action = _ACTIONS[parts[0]]
    expected = _signature(secret, action, parts[1], sender_id)
    if not hmac.compare_digest(expected.encode(), parts[2].encode()):
        return None
    return ButtonAction(action, parts[1])


def keyword(body: str | None) -> str | None:
    """OPT_OUT / OPT_IN for STOP, ARRET (« Arrêt », any case) or START; else None."""
    folded = unicodedata.normalize("NFKD", (body or "").strip().upper())
    word = "".join(c for c in folded if not unicodedata.combining(c)).rstrip(".!")
    if word in OPT_OUT_WORDS:
        return "OPT_OUT"
    if word in OPT_IN_WORDS:
        return "OPT_IN"
    return None


# ---------------------------------------------------------------- replies (free-form: in session)
HELP_TEXT = ("Khadamat : pour gérer vos réservations, ouvrez l'application. "
             "Envoyez STOP pour ne plus recevoir de messages WhatsApp, START pour les recevoir à nouveau.")
OPTED_OUT_TEXT = ("Vous ne recevrez plus de messages WhatsApp de Khadamat. "
                  "Envoyez START pour les recevoir à nouveau.")
OPTED_IN_TEXT = "Vous recevez à nouveau les messages WhatsApp de Khadamat."
CONFIRMED_TEXT = "C'est confirmé : la réservation est à vous. Le client a été prévenu."
DECLINED_TEXT = "La demande a été refusée. Le client a été prévenu."
UNAVAILABLE_TEXT = "Ce créneau n'est plus disponible : la demande ne peut plus être confirmée."
NOT_PENDING_TEXT = "Cette demande n'est plus en attente : rien n'a changé."
BLOCKED_TEXT = "Action impossible depuis WhatsApp pour votre compte : ouvrez l'application Khadamat."


def reply_for_error(code: str) -> str:
    """The pro's answer when the confirm/decline use case refused (its SPEC §6 error code)."""
    if code in ("SLOT_TAKEN", "BOOKING_EXPIRED", "SLOT_UNAVAILABLE"):
        return UNAVAILABLE_TEXT
    if code in ("INVALID_TRANSITION", "NOT_FOUND", "CONFLICT"):
        return NOT_PENDING_TEXT
    return BLOCKED_TEXT


# ---------------------------------------------------------------- delivery statuses (status callbacks)
STATUS_RANKS = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
                "delivered": 4, "undelivered": 4, "failed": 4, "read": 5}
FAILED_STATUSES = {"failed", "undelivered"}
# Messages that matter enough to be sent again as an SMS when WhatsApp fails (SPEC §16).
SMS_FALLBACK_TYPES = ("BOOKING_CONFIRMED", "BOOKING_CANCELLED")


def needs_sms_fallback(notice_type: str) -> bool:
    return notice_type.startswith(SMS_FALLBACK_TYPES)
