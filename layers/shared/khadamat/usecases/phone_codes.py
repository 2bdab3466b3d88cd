"""Phone codes (SPEC §15): send and verify through Twilio Verify, for four purposes.

Verify makes, sends and checks the codes but knows nothing of purposes: a send binds the
number's code to its purpose and requester (khadamat.dal.otp), and a check is counted
against that binding before Twilio is asked, so a LOGIN code never verifies a phone, a
code asked by one account never serves another, and 5 wrong codes kill it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from khadamat import passwords, security
from khadamat.adapters import verify
from khadamat.adapters.errors import SendFailed
from khadamat.dal import otp, users
from khadamat.dal.base import get_items
from khadamat.domain import accounts as rules
from khadamat.domain.accounts import OtpPurpose, Session, UserStatus
from khadamat.domain.errors import (Conflict, Forbidden, RateLimited, Unauthorized,
                                    Unprocessable)
from khadamat.observability import logger

EXPIRES_IN = int(rules.OTP_TTL.total_seconds())


def _purpose(raw: str) -> OtpPurpose:
    try:
        return OtpPurpose(raw)
    except ValueError:
        raise Unprocessable(f"purpose must be one of {', '.join(OtpPurpose)}")


def _signed_in(purpose: OtpPurpose, caller: users.UserItem | None) -> users.UserItem | None:
    if purpose in rules.SIGNED_IN_PURPOSES and caller is None:
        raise Unauthorized(f"{purpose} needs a signed-in account")
    return caller if purpose in rules.SIGNED_IN_PURPOSES else None


# ---------------------------------------------------------------- send
def send(*, phone: str, purpose: str, channel: str | None, caller: users.UserItem | None,
         now: datetime) -> dict:
    """202 whether or not the number has an account (no enumeration); a failing Twilio is
    logged and retried once by SMS, never answered as an error."""
    wanted = _purpose(purpose)
    channel = channel or "whatsapp"
    if channel not in rules.OTP_CHANNELS:
        raise Unprocessable("channel must be whatsapp or sms")
    e164 = rules.normalize_moroccan_mobile(phone)
    requester = _signed_in(wanted, caller)
    owner_id = _owner_for(wanted, e164, requester)
    binding = otp.new_binding(e164, wanted, requester.user_id if requester else None, owner_id,
                              now + rules.OTP_TTL) if (owner_id or requester) else None
    # CHANGE_PHONE: the new number must be free; the transaction checks it (no read of its own)
    taken_key = users.phone_key(e164) if wanted == OtpPurpose.CHANGE_PHONE else None
    try:
        counted = otp.count_send(e164, now, binding, unless_taken=taken_key)
    except otp.NumberTaken:
        raise _taken()
    if not counted.allowed:
        raise RateLimited("too many codes sent to this number; try again later", counted.retry_after)
    if binding is not None and not _deliver_code(e164, channel, now):
        otp.forget_binding(e164)  # nothing half-written: no binding without a code
    return {"expiresIn": EXPIRES_IN}


def _owner_for(purpose: OtpPurpose, e164: str, requester: users.UserItem | None) -> str | None:
    """The account the code is for; None when there is none (nothing is sent then)."""
    if purpose == OtpPurpose.VERIFY_PHONE:
        if requester.phone != e164:
            raise Unprocessable("phone must be the phone of your account")
        return requester.user_id
    if purpose == OtpPurpose.CHANGE_PHONE:
        if requester.phone == e164:
            raise Unprocessable("phone is already the phone of your account")
        return requester.user_id  # the number's freedom is a condition of the send's transaction
    return users.find_user_id(users.phone_key(e164))


def _deliver_code(e164: str, channel: str, now: datetime) -> bool:
    """Twilio sends the code; a failed attempt (error, timeout) is retried once by SMS."""
    for attempt in (channel, "sms"):
        try:
            verify.verifier().start(to_e164=e164, channel=attempt, now=now)
            return True
        except SendFailed as error:
            logger.warning("verify send failed", extra={"channel": attempt, "error": str(error)})
    logger.error("verify send failed twice; no code went out")
    return False


# ---------------------------------------------------------------- verify
def verify_code(*, phone: str, code: str, purpose: str, caller: users.UserItem | None,
                session: Session | None, now: datetime, per_ip, ip_window=None) -> dict:
    """At most 3 requests for every purpose (issue 16; docs/accounts.md): the check is counted
    before Twilio is asked, and the code's effect, the binding's deletion and the per-IP hit
    (``per_ip``: khadamat.api.throttle.DeferredHit, its window read with the caller as
    ``ip_window``) commit in one transaction."""
    wanted = _purpose(purpose)
    e164 = rules.normalize_moroccan_mobile(phone)
    requester = _signed_in(wanted, caller)
    if requester is not None:
        per_ip.check(ip_window)
    elif wanted == OtpPurpose.PASSWORD_RESET:
        per_ip.check(get_items([per_ip.window_key()])[0])
    binding = otp.count_check(e164, wanted, requester.user_id if requester else None, now,
                              rules.OTP_MAX_CHECKS)
    if binding is None or not rules.is_plausible_code(code):
        raise _used()
    account = _login_account(binding, e164, per_ip) if wanted == OtpPurpose.LOGIN else None
    if not _approved(e164, code, now):
        raise _used()
    if wanted == OtpPurpose.VERIFY_PHONE:
        return _verify_phone(binding, requester, e164, per_ip)
    if wanted == OtpPurpose.CHANGE_PHONE:
        return _change_phone(binding, requester, e164, session, now, per_ip)
    if wanted == OtpPurpose.LOGIN:
        return _login(binding, account, now, per_ip)
    return _reset_token(binding, now, per_ip)


def _approved(e164: str, code: str, now: datetime) -> bool:
    try:
        return verify.verifier().check(to_e164=e164, code=code, now=now)
    except (SendFailed, verify.CheckFailed) as error:
        logger.error("verify check failed", extra={"error": str(error)})
        return False


def _taken() -> Conflict:
    return Conflict("an account with this phone already exists", "ACCOUNT_EXISTS")


def _used() -> Unauthorized:
    return Unauthorized("wrong, expired or used code", "INVALID_CODE")


def _consumed(binding, per_ip, *writes) -> bool:
    """The binding's deletion, ``writes`` and the per-IP hit, all or nothing. When refused,
    the entry counts the hit alone (429 if that is what refused it)."""
    if not otp.consumed_with(binding, *writes, per_ip.add_to):
        return False
    per_ip.committed()
    return True


def _verify_phone(binding, caller: users.UserItem, e164: str, per_ip) -> dict:
    if not _consumed(binding, per_ip, lambda tx: users.mark_phone_verified(caller, e164, tx)):
        raise _used()
    return {"phoneVerified": True}


def _change_phone(binding, caller: users.UserItem, e164: str, session: Session | None,
                  now: datetime, per_ip) -> dict:
    """Every other session is signed out in the same write (``users.signed_out``)."""
    from khadamat.usecases.accounts import me_view

    signing_out = users.signed_out(caller, sparing=session)
    if not _consumed(binding, per_ip, lambda tx: users.replace_phone(caller, e164, now, tx, signing_out)):
        # the binding changed, the account's phone changed, the number was taken or the
        # account signed its sessions out meanwhile
        if users.find_user_id(users.phone_key(e164)) not in (None, caller.user_id):
            raise _taken()
        raise _used()
    # the answer is what the transaction wrote (its condition held on the account read with it)
    caller.phone, caller.phone_verified = e164, True
    return me_view(caller)


def _login_account(binding, e164: str, per_ip) -> users.UserItem:
    """The account the code signs in, read with the IP's window before Twilio is asked."""
    if not binding.user_id:
        per_ip.check(get_items([per_ip.window_key()])[0])
        raise _used()
    user, window = get_items([(users.UserItem, *users.user_key(binding.user_id)), per_ip.window_key()])
    per_ip.check(window)
    if user is None or user.status == UserStatus.DELETED or user.phone != e164:
        raise _used()
    if not user.phone_verified:
        raise Forbidden("this phone is not verified: sign in with your password", "PHONE_NOT_VERIFIED")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    return user


def _login(binding, user: users.UserItem, now: datetime, per_ip) -> dict:
    from khadamat.usecases import mfa
    from khadamat.usecases.accounts import new_session

    if mfa.requires_second_step(user):
        # SPEC §15/§17: an ADMIN with TOTP enrolled gets {"mfaRequired", "mfaToken"}, as from
        # /auth/login; the code is used up all the same.
        if not _consumed(binding, per_ip):
            raise _used()
        return mfa.challenge(user, now)
    session, token_item = new_session(user, now)
    # the account read before Twilio's check must still be live and verified when it commits
    if not _consumed(binding, per_ip, lambda tx: tx.save(token_item),
                     lambda tx: users.still_signs_in(user, tx)):
        raise _used()
    return session


def _reset_token(binding, now: datetime, per_ip) -> dict:
    token = secrets.token_urlsafe(32)
    expires = now + rules.RESET_TOKEN_TTL
    item = otp.reset_item(security.hash_token(token), binding.user_id, expires)
    if not binding.user_id or not _consumed(binding, per_ip, lambda tx: tx.save(item)):
        raise _used()
    return {"resetToken": token, "expiresIn": int(rules.RESET_TOKEN_TTL.total_seconds())}


# ---------------------------------------------------------------- passwords
def reset_password(*, reset_token: str, new_password: str, now: datetime) -> None:
    """The token works once; every refresh token of the account is revoked. A reset never
    signs anyone in."""
    from khadamat.domain.timeutil import from_storage

    if problem := rules.password_problem(new_password):
        raise Unprocessable(f"newPassword: {problem}")
    stored = otp.take_reset_token(security.hash_token(reset_token))
    if stored is None or from_storage(stored.expires_at) <= now:
        raise Unauthorized("invalid or expired reset token")
    if not users.set_password(stored.user_id, passwords.hash_password(new_password), now,
                              users.signed_out()):
        raise Unauthorized("invalid or expired reset token")


def change_password(*, caller: users.UserItem, current_password: str, new_password: str,
                    session: Session | None, now: datetime) -> None:
    """Every other refresh token is revoked (the caller's own session stays). Wrong current
    passwords count with the account's failed logins (a stolen session cannot guess it)."""
    from khadamat.dal import limits
    from khadamat.usecases.accounts import login_failures

    if not passwords.verify_password(caller.password_hash, current_password):
        if not (counted := limits.hit(login_failures(), f"USER#{caller.user_id}", now)).allowed:
            raise RateLimited("too many wrong passwords; try again later", counted.retry_after)
        raise Unauthorized("the current password is wrong", "INVALID_CREDENTIALS")
    if problem := rules.password_problem(new_password):
        raise Unprocessable(f"newPassword: {problem}")
    if not users.set_password(caller.user_id, passwords.hash_password(new_password), now,
                              users.signed_out(caller, sparing=session)):
        # deleted, or its sessions signed out (another device, a ban) since it was read
        raise Conflict("the account changed meanwhile; try again")

