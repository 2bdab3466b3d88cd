"""Access tokens (JWT HS256, 15 min) and opaque refresh tokens; passwords are in passwords.py."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import jwt

from khadamat import config
from khadamat.domain.accounts import ACCESS_TOKEN_TTL
from khadamat.domain.errors import Unauthorized

_ISSUER = "khadamat"


def issue_access_token(user_id: str, role: str, now: datetime, session: str | None = None,
                       epoch: int = 0) -> str:
    """``session``: the login chain of the refresh token it came with (claim ``sid``), and
    the account's session epoch it was issued in (claim ``epoch``), so that "every other
    refresh token" can spare the caller's own session while it is itself signed in
    (khadamat.domain.accounts.chain_to_spare)."""
    claims = {"sub": user_id, "role": role, "iss": _ISSUER, "iat": int(now.timestamp()),
              "exp": int((now + ACCESS_TOKEN_TTL).timestamp())}
    if session:
        claims["sid"] = session
        claims["epoch"] = epoch
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


# ---------------------------------------------------------------- admin TOTP step (SPEC §17)
_MFA_ISSUER = "khadamat-mfa"  # another issuer: an mfaToken is never accepted as an access token


def issue_mfa_token(user_id: str, now: datetime, ttl_seconds: int) -> str:
    claims = {"sub": user_id, "iss": _MFA_ISSUER, "iat": int(now.timestamp()),
              "exp": int(now.timestamp()) + ttl_seconds}
    return jwt.encode(claims, config.jwt_secret(), algorithm="HS256")


def read_mfa_token(token: str, now: datetime) -> str:
    """The user id of a valid, unexpired mfaToken (judged by the injected clock)."""
    try:
        claims = jwt.decode(token, config.jwt_secret(), algorithms=["HS256"], issuer=_MFA_ISSUER,
                            options={"verify_exp": False, "verify_iat": False,
                                     "require": ["sub", "exp", "iss"]})
    except jwt.PyJWTError:
        raise Unauthorized("invalid mfaToken")
    if now.timestamp() >= claims["exp"]:
        raise Unauthorized("mfaToken expired: sign in again")
    return claims["sub"]
