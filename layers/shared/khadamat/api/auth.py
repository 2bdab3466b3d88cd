"""Who is calling: the bearer token, checked against the stored account on every call.

The account is read on every authenticated call so that a ban, a suspension or a
deletion takes effect at once, even for a token issued before it. Authentication
runs before body validation (``khadamat.api.entry.http_entry``): a caller
without the right role learns nothing about the body the route expects.
"""

from __future__ import annotations

from khadamat import clock
from khadamat.dal import users
from khadamat.domain.accounts import Role, Session, UserStatus
from khadamat.domain.errors import Forbidden, Unauthorized
from khadamat.security import read_access_token

ANY_ROLE: tuple[Role, ...] = ()


def bearer_token(headers: dict | None) -> str:
    header = next((v for k, v in (headers or {}).items() if k.lower() == "authorization"), "")
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    return token.strip()


def authenticate(headers: dict | None, roles: tuple[Role, ...],
                 prefetch: dict[str, tuple] | None = None) -> tuple[users.UserItem, dict]:
    """The caller's account; 401 without a valid token, 403 when banned or of another role.

    ``prefetch`` names items (model, PK, SK) read in the same request as the account (one
    BatchGetItem): returned by name, None when absent. Read on every call, kept nowhere
    (routes declare theirs with khadamat.api.prefetch; the keys come from the DAL's refs).
    """
    claims = read_access_token(bearer_token(headers), clock.now())
    if prefetch:
        from khadamat.dal.base import get_items

        user, *items = get_items([(users.UserItem, *users.user_key(claims["sub"])), *prefetch.values()])
        prefetched = dict(zip(prefetch, items))
    else:
        user, prefetched = users.get_user(claims["sub"]), {}
    if user is None or user.status == UserStatus.DELETED:
        raise Unauthorized("this account no longer exists")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    if roles and user.role not in roles:
        raise Forbidden(f"this call is for {' or '.join(roles)} accounts")
    return user, prefetched


def caller(app) -> users.UserItem:
    """The account authenticated for this invocation (apps built with ``roles=``)."""
    return app.context["caller"]


def session_of(headers: dict | None) -> Session | None:
    """The login chain the caller's access token came with (claim ``sid``) and the session
    epoch it was issued in (claim ``epoch``), if any: "every other refresh token" spares it."""
    claims = read_access_token(bearer_token(headers), clock.now())
    return Session(claims["sid"], int(claims.get("epoch", 0))) if claims.get("sid") else None


def optional_caller(headers: dict | None, purpose: str, prefetch: dict[str, tuple] | None = None
                    ) -> tuple[users.UserItem | None, Session | None, dict]:
    """For routes open to everyone where some purposes need an account (POST /auth/otp/*):
    the caller and its session for those purposes (401 without a valid token), with the
    ``prefetch`` items read in the same request (as ``authenticate``); None and {} for the
    others, whatever token is sent."""
    from khadamat.domain.accounts import SIGNED_IN_PURPOSES

    if purpose not in SIGNED_IN_PURPOSES:
        return None, None, {}
    user, items = authenticate(headers, ANY_ROLE, prefetch)
    return user, session_of(headers), items
