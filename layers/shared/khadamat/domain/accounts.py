"""Account rules: roles, statuses, Moroccan mobile numbers, passwords, login throttling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


from khadamat.domain.errors import Unprocessable


class Role(StrEnum):
    CLIENT = "CLIENT"
    PRO = "PRO"
    ADMIN = "ADMIN"


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    BANNED = "BANNED"
    DELETED = "DELETED"


SELF_SERVICE_ROLES = (Role.CLIENT, Role.PRO)
PASSWORD_MIN_LENGTH = 10
LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=30)


# ---------------------------------------------------------------- signing sessions out (SPEC §3, §15)
# "Revoke every (other) refresh token" is one write on the account, made with the change that
# causes it: the account's session epoch goes one up, and the one login chain spared (the
# caller's own session, or none) is named. Every refresh token carries the epoch it was issued
# in; /auth/refresh reads the token with the account and refuses a token of an earlier epoch
# unless its chain is the one spared (docs/accounts.md "Signing sessions out").
@dataclass(frozen=True)
class Session:
    """The login chain an access token came with (claim ``sid``) and the account's session
    epoch it was issued in (claim ``epoch``; absent = 0)."""

    chain: str
    epoch: int = 0


def refresh_token_live(token_epoch: int, token_chain: str, session_epoch: int,
                       kept_chain: str | None) -> bool:
    """A refresh token survives the account's latest sign-out if it was issued after it or
    belongs to the chain it spared. A chain has one unrotated token at a time (its latest), so
    a spared chain's token is live whatever its epoch."""
    return token_epoch >= session_epoch or token_chain == kept_chain


def chain_to_spare(caller: Session | None, session_epoch: int, kept_chain: str | None) -> str | None:
    """The caller's own chain, if it is itself still signed in: an access token outlives the
    sign-out of its session by up to 15 minutes and must not revive it by sparing it."""
    if caller is None or not refresh_token_live(caller.epoch, caller.chain, session_epoch, kept_chain):
        return None
    return caller.chain


def normalize_moroccan_mobile(raw: str, field: str = "phone") -> str:
    """06/07 national or +2126/+2127 (spaces, dots, dashes tolerated) → E.164; else 422."""
    import phonenumbers  # ~20-150 ms: only the functions that read a phone number pay it

    try:
        number = phonenumbers.parse(raw, "MA")
    except phonenumbers.NumberParseException:
        raise Unprocessable(f"{field} must be a Moroccan mobile number (06/07… or +2126/+2127…)")
    national = str(number.national_number)
    if number.country_code != 212 or len(national) != 9 or national[0] not in "67" \
            or not phonenumbers.is_valid_number(number):
        raise Unprocessable(f"{field} must be a Moroccan mobile number (06/07… or +2126/+2127…)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(login: str) -> bool:
    return "@" not in login and bool(re.fullmatch(r"[\d\s+().-]+", login.strip()))


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def password_problem(password: str) -> str | None:
    """The reason a password is refused, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"password must be at least {PASSWORD_MIN_LENGTH} characters"
    if not re.search(r"[^\W\d_]", password):
        return "password must contain a letter"
    if not re.search(r"\d", password):
        return "password must contain a digit"
    return None


NAME_MAX_LENGTH = 40
# Typed by people, read in WhatsApp messages: letters of any script (and their combining
# marks: Arabic harakat), spaces, hyphens, apostrophes (the typographic one phones insert
# too) and dots.
_NAME_PUNCTUATION = frozenset(" -'’.")


def _is_letter(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char)[0] in "LM"


def name_problem(name: str, field: str) -> str | None:
    """Why a first or last name is refused (SPEC §3), or None. A dot between two letters is
    refused (``evil.example``): a name must never become a link in a message."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        return f"{field} must be 1 to {NAME_MAX_LENGTH} characters"
    if not any(_is_letter(char) for char in name):
        return f"{field} must contain a letter"
    if any(not (_is_letter(char) or char in _NAME_PUNCTUATION) for char in name):
        return f"{field} may hold only letters, spaces, - ' and ."
    if re.search(r"[^\W\d_]\.[^\W\d_]", name):
        return f"{field} must not hold a dot between two letters"
    return None


# ---------------------------------------------------------------- verified phones (SPEC §15)
class OtpPurpose(StrEnum):
    VERIFY_PHONE = "VERIFY_PHONE"      # signed in: the caller's own phone
    LOGIN = "LOGIN"
    PASSWORD_RESET = "PASSWORD_RESET"
    CHANGE_PHONE = "CHANGE_PHONE"      # signed in: the caller's new number


SIGNED_IN_PURPOSES = (OtpPurpose.VERIFY_PHONE, OtpPurpose.CHANGE_PHONE)
OTP_CHANNELS = ("whatsapp", "sms")
OTP_TTL = timedelta(minutes=10)        # Twilio Verify's default code lifetime
OTP_MAX_CHECKS = 5                     # wrong codes after which the code is dead
OTP_SENDS_PER_15_MIN = 3
OTP_SENDS_PER_DAY = 10
RESET_TOKEN_TTL = timedelta(minutes=10)

# The terms a signup accepts; a new version is a new consent (docs/accounts.md).
TERMS_VERSION = "2026-12-01"


class ConsentKind(StrEnum):
    TERMS = "TERMS"
    MARKETING = "MARKETING"


def is_plausible_code(code: str) -> bool:
    """Verify's codes are 4 to 10 digits; anything else is wrong without asking Twilio."""
    return bool(re.fullmatch(r"\d{4,10}", code))
