"""Optional TOTP for admins (SPEC §17, RFC 6238 with pyotp).

Enrolment stores a pending secret; confirming it with a valid code makes it the account's
secret (audited). From then on a correct password at /auth/login only earns an mfaToken
(5 minutes, another JWT issuer than access tokens), exchanged with a code at /auth/mfa.
"""

from __future__ import annotations

from datetime import datetime

from khadamat import security
from khadamat.dal import users
from khadamat.domain.accounts import UserStatus
from khadamat.domain.errors import DomainError, Forbidden, Unauthorized
from khadamat.usecases import audit

ISSUER_NAME = "Khadamat"
MFA_TOKEN_TTL_S = 300
VALID_WINDOW = 1  # one 30-second step either side: phone clocks drift


class InvalidCode(DomainError):
    status, code = 401, "INVALID_CODE"


def _code_ok(secret: str | None, code: str, now: datetime) -> bool:
    import pyotp

    return bool(secret) and pyotp.TOTP(secret).verify(code.strip(), for_time=now,
                                                      valid_window=VALID_WINDOW)


def enroll(admin: users.UserItem, now: datetime) -> dict:
    import pyotp

    secret = pyotp.random_base32()
    users.UserItem(*users.user_key(admin.user_id)).update(
        actions=[users.UserItem.mfa_pending_secret.set(secret)])
    uri = pyotp.TOTP(secret).provisioning_uri(name=admin.email or admin.user_id,
                                              issuer_name=ISSUER_NAME)
    return {"secret": secret, "otpauthUrl": uri}


def confirm(admin: users.UserItem, code: str, now: datetime) -> None:
    if not _code_ok(admin.mfa_pending_secret, code, now):
        raise InvalidCode("wrong or expired code")
    entry = audit.entry(admin.user_id, "MFA_ENABLE", "USER", admin.user_id, now,
                        before={"mfaEnabled": bool(admin.mfa_secret)}, after={"mfaEnabled": True})
    item = users.UserItem(*users.user_key(admin.user_id))
    condition = users.UserItem.mfa_pending_secret == admin.mfa_pending_secret
    from khadamat.dal import audit as audit_log

    if not audit_log.update_with(item, [users.UserItem.mfa_secret.set(admin.mfa_pending_secret),
                                        users.UserItem.mfa_pending_secret.remove()],
                                 condition, entry):
        raise InvalidCode("this enrolment was replaced: enrol again")


def requires_second_step(user: users.UserItem) -> bool:
    return bool(user.mfa_secret)


def challenge(user: users.UserItem, now: datetime) -> dict:
    return {"mfaRequired": True,
            "mfaToken": security.issue_mfa_token(user.user_id, now, MFA_TOKEN_TTL_S)}


def verified_user(mfa_token: str, code: str, now: datetime) -> users.UserItem:
    user = users.get_user(security.read_mfa_token(mfa_token, now))
    if user is None or user.status == UserStatus.DELETED:
        raise Unauthorized("this account no longer exists")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    if not _code_ok(user.mfa_secret, code, now):
        raise InvalidCode("wrong or expired code")
    return user
