"""Passwords: Argon2id hashes (argon2-cffi), imported when a password is first hashed or
checked: modules that import this one for a rarer path (OTP verify, GET /me's neighbours) do
not pay argon2's ~30 ms of cold start."""

from __future__ import annotations

import secrets
from functools import cache


@cache
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106 parameters


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))


def burn_password_check(password: str) -> None:
    """Verify against a throwaway hash when the login is unknown: timing reveals no account."""
    verify_password(_dummy_hash(), password)
