"""Account rules: roles, statuses, Moroccan mobile numbers, passwords, login throttling."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
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


def is_login_throttled(failures: int, window_start: datetime | None, now: datetime) -> bool:
    return (window_start is not None and failures >= LOGIN_MAX_FAILURES
            and now < window_start + LOGIN_FAILURE_WINDOW)


def failure_window_expired(window_start: datetime | None, now: datetime) -> bool:
    return window_start is None or now >= window_start + LOGIN_FAILURE_WINDOW



# ---------------------------------------------------------------- names (SPEC §3)
# The same block as helper `accounts`' (branch accounts): at merge keep ONE copy, theirs.
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
