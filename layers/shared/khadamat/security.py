"""Passwords (Argon2id), access tokens (JWT HS256, 15 min) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from khadamat import config
from khadamat.domain.accounts import ACCESS_TOKEN_TTL
from khadamat.domain.errors import Unauthorized

_ISSUER = "khadamat"


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106 parameters


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
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


def issue_access_token(user_id: str, role: str, now: datetime) -> str:
    claims = {"sub": user_id, "role": role, "iss": _ISSUER, "iat": int(now.timestamp()),
              "exp": int((now + ACCESS_TOKEN_TTL).timestamp())}
    return jwt.encode(claims, config.jwt_secret(), algorithm="HS256")


def read_access_token(token: str, now: datetime) -> dict:
    """Claims of a valid token; expiry is judged by the injected clock, not the host's."""
    try:
        claims = jwt.decode(token, config.jwt_secret(), algorithms=["HS256"], issuer=_ISSUER,
                            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp", "iss"]})
    except jwt.PyJWTError:
        raise Unauthorized("invalid access token")
    if now.timestamp() >= claims["exp"]:
        raise Unauthorized("access token expired")
    return claims


def new_refresh_token(user_id: str) -> str:
    return f"{user_id}.{secrets.token_urlsafe(32)}"


def refresh_token_owner(token: str) -> str:
    user_id, _, secret_part = token.partition(".")
    if not user_id or not secret_part:
        raise Unauthorized("invalid refresh token")
    return user_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
