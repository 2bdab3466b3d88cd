"""Account use cases (SPEC §3, §9): signup, login, refresh, logout, /me, ban, unban."""

from __future__ import annotations

import uuid
from datetime import datetime

from khadamat import passwords, security
from khadamat.dal import users
from khadamat.domain import accounts as rules
from khadamat.domain.accounts import Role, UserStatus
from khadamat.domain.errors import (Conflict, Forbidden, InvalidCredentials, NotFound, RateLimited,
                                    Unauthorized, Unprocessable)
from khadamat.domain.reference import CITY_IDS
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage
from khadamat.usecases import audit, kyc, mfa


def signup(*, phone: str, email: str, password: str, first_name: str, last_name: str,
           role: str, city_id: str | None, whatsapp: str | None, accept_terms: bool | None,
           marketing_opt_in: bool, source_ip: str | None, now: datetime) -> users.UserItem:
    """A new account, its phone not verified yet (SPEC §15); the terms' acceptance and the
    marketing choice are recorded with it (version, time, source IP)."""
    if role not in rules.SELF_SERVICE_ROLES:
        raise Unprocessable("role must be CLIENT or PRO")
    if accept_terms is not True:
        raise Unprocessable("acceptTerms: the terms must be accepted (true)")
    return create_account(phone=phone, email=email, password=password, first_name=first_name,
                          last_name=last_name, role=Role(role), city_id=city_id,
                          whatsapp=whatsapp, now=now, marketing_opt_in=marketing_opt_in,
                          consent_source_ip=source_ip)


def create_account(*, phone: str, email: str, password: str, first_name: str, last_name: str,
                   role: Role, city_id: str | None, whatsapp: str | None, now: datetime,
                   phone_verified: bool = False, marketing_opt_in: bool = False,
                   consent_source_ip: str | None = None,
                   created_by: str | None = None) -> users.UserItem:
    """Every account is made here; ADMIN only ever from the seed, never from signup.
    ``phone_verified``: only for accounts whose phone an operator vouches for (seed, scripts)."""
    e164 = rules.normalize_moroccan_mobile(phone)
    if problem := rules.password_problem(password):
        raise Unprocessable(problem)
    for name, field in ((first_name, "firstName"), (last_name, "lastName")):
        if problem := rules.name_problem(name, field):
            raise Unprocessable(problem)
    if role == Role.PRO and city_id not in CITY_IDS:
        raise Unprocessable(f"cityId is required for a PRO and must be one of {', '.join(CITY_IDS)}")
    user = users.UserItem(
        *users.user_key(user_id := str(uuid.uuid4())), user_id=user_id, role=role,
        status=UserStatus.ACTIVE, phone=e164, email=rules.normalize_email(email),
        password_hash=passwords.hash_password(password), first_name=first_name,
        last_name=last_name, city_id=city_id if role == Role.PRO else None,
        whatsapp=rules.normalize_moroccan_mobile(whatsapp, "whatsapp") if whatsapp else None,
        kyc_status="NOT_SUBMITTED" if role == Role.PRO else None, created_at=to_storage(now),
        phone_verified=phone_verified, marketing_opt_in=marketing_opt_in)
    consents = (
        users.consent_item(user_id, rules.ConsentKind.TERMS, True, rules.TERMS_VERSION,
                           consent_source_ip, "SIGNUP", now),
        users.consent_item(user_id, rules.ConsentKind.MARKETING, marketing_opt_in,
                           rules.TERMS_VERSION, consent_source_ip, "SIGNUP", now),
    ) if role != Role.ADMIN else ()
    # an ADMIN made by a script or /_dev/admins is audited in the same transaction
    entry = audit.entry(created_by, "ADMIN_CREATE", "USER", user_id, now,
                        after={"role": role, "email": user.email}) if created_by else None
    users.create_user(user, consents, also_save=(entry,) if entry else ())
    return user


def _unique_key_for_login(login: str) -> tuple[str, str] | None:
    if rules.looks_like_phone(login):
        try:
            return users.phone_key(rules.normalize_moroccan_mobile(login))
        except Unprocessable:
            return None
    return users.email_key(rules.normalize_email(login))


def _failure_subject(login: str, key: tuple[str, str] | None, user_id: str | None) -> str:
    """One count per account (its phone in either form and its email share it); a login that
    names no account is counted per login string, with the same answers."""
    if user_id:
        return f"USER#{user_id}"
    return key[0] if key else rules.normalize_email(login)


def login_failures():
    from khadamat.dal.limits import Limit

    return Limit("LOGINFAIL", rules.LOGIN_MAX_FAILURES, rules.LOGIN_FAILURE_WINDOW)


def login(*, login: str, password: str, now: datetime) -> dict:
    from khadamat.dal import limits

    key = _unique_key_for_login(login)
    user_id = users.read_login_account(key)
    subject = _failure_subject(login, key, user_id)
    window = limits.window_key(login_failures(), subject, now)
    user, failures = users.read_user_and_window(user_id, window)
    if not (allowed := limits.verdict(login_failures(), failures, now)).allowed:
        raise RateLimited("too many failed logins; try again later", allowed.retry_after)
    if not _password_matches(user, password):
        # Counted atomically before answering: of concurrent wrong attempts, at most the
        # window's room are told 401, the rest 429.
        counted = limits.hit(login_failures(), subject, now)
        if not counted.allowed:
            raise RateLimited("too many failed logins; try again later", counted.retry_after)
        raise InvalidCredentials("wrong login or password")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    if failures:
        users.clear_window(window)
    if mfa.requires_second_step(user):  # an admin with TOTP: the code comes at /auth/mfa
        return mfa.challenge(user, now)
    return _session_for(user, now)


def login_second_step(*, mfa_token: str, code: str, now: datetime) -> dict:
    return _session_for(mfa.verified_user(mfa_token, code, now), now)


def _password_matches(user: users.UserItem | None, password: str) -> bool:
    if user is None or user.status == UserStatus.DELETED:
        passwords.burn_password_check(password)
        return False
    return passwords.verify_password(user.password_hash, password)


def _session_for(user: users.UserItem, now: datetime) -> dict:
    session, token_item = new_session(user, now)
    token_item.save()
    return session


def new_session(user: users.UserItem, now: datetime) -> tuple[dict, users.RefreshTokenItem]:
    """The /auth/login answer of a new login chain, and its first refresh token to save (it
    names the chain: SPEC §3 rotation)."""
    refresh_token = security.new_refresh_token(user.user_id)
    chain = security.hash_token(refresh_token)
    epoch = int(user.session_epoch or 0)
    item = users.refresh_token_item(user.user_id, chain, now + rules.REFRESH_TOKEN_TTL, chain, epoch)
    return {
        "accessToken": security.issue_access_token(user.user_id, user.role, now, chain, epoch),
        "refreshToken": refresh_token,
        "expiresIn": int(rules.ACCESS_TOKEN_TTL.total_seconds()),
        "user": {"id": user.user_id, "role": user.role, "firstName": user.first_name,
                 "lastName": user.last_name},
    }, item


def refresh(*, refresh_token: str, now: datetime) -> dict:
    """Rotation with reuse detection: the token given stops working; a token presented after
    it was rotated (a copy, stolen or replayed) revokes its whole login chain. A token the
    account signed out since it was issued (password, phone, ban: ``users.signed_out``) is
    refused; its successor is issued in the account's current session epoch."""
    user_id = security.refresh_token_owner(refresh_token)
    token_hash = security.hash_token(refresh_token)
    stored, user = users.get_refresh_token_and_user(user_id, token_hash)
    if stored is None or from_storage(stored.expires_at) <= now:
        raise Unauthorized("invalid or expired refresh token")
    chain = stored.chain or token_hash
    if stored.rotated_at:
        users.revoke_chain(user_id, chain)
        raise Unauthorized("this refresh token was already used; sign in again")
    if user is None or user.status == UserStatus.DELETED:
        raise Unauthorized("invalid or expired refresh token")
    if not users.refresh_token_live(stored, user):
        raise Unauthorized("this session was signed out; sign in again")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    successor = security.new_refresh_token(user_id)
    epoch = int(user.session_epoch or 0)
    if not users.rotate_refresh_token(stored, security.hash_token(successor),
                                      now + rules.REFRESH_TOKEN_TTL, now, epoch):
        # A concurrent refresh with the same token won: one of the two is a copy.
        users.revoke_chain(user_id, chain)
        raise Unauthorized("this refresh token was already used; sign in again")
    return {"accessToken": security.issue_access_token(user.user_id, user.role, now, chain, epoch),
            "refreshToken": successor,
            "expiresIn": int(rules.ACCESS_TOKEN_TTL.total_seconds())}


def logout(*, refresh_token: str) -> None:
    """Idempotent: an unknown or already revoked token is simply gone."""
    try:
        user_id = security.refresh_token_owner(refresh_token)
    except Unauthorized:
        return
    users.delete_refresh_token(user_id, security.hash_token(refresh_token))


def me_view(user: users.UserItem) -> dict:
    view = {"id": user.user_id, "role": user.role, "status": user.status, "phone": user.phone,
            "phoneVerified": bool(user.phone_verified), "email": user.email, "firstName": user.first_name, "lastName": user.last_name}
    if user.role == Role.PRO:
        view["cityId"] = user.city_id
    if user.role == Role.CLIENT:
        cooldown = user.booking_cooldown_until
        view.update(lateCancelCount30d=int(user.late_cancel_count_30d or 0),
                    sanctionTier=int(user.sanction_tier or 0),
                    bookingCooldownUntil=to_local_iso(from_storage(cooldown)) if cooldown else None)
    return view


def delete_me(user: users.UserItem, now: datetime) -> None:
    """A pro's KYC purge marker is written with the erasure, so the purge follows at once
    without reading it back (and the daily job retries it if S3 fails). The erasure signs
    every session out (``users.erase_user``)."""
    marker = kyc.deleted_account_marker(user.user_id, now) if user.role == Role.PRO else None
    users.erase_user(user, now, also_save=(marker,) if marker else ())
    if marker:
        kyc.purge_now(marker, now)


def _live_target(target: users.UserItem | None) -> users.UserItem:
    if target is None or target.status == UserStatus.DELETED:
        raise NotFound("no such user")
    return target


def ban(*, actor_id: str, user_id: str, target: users.UserItem | None, reason: str,
        now: datetime) -> dict:
    """``target`` was read with the caller's account; the write is conditional on the status
    read then (the audit entry's ``before``), in one transaction with that entry, and signs
    every session of the target out."""
    target = _live_target(target)
    if target.role == Role.ADMIN:
        raise Forbidden("an admin account cannot be banned")
    entry = audit.entry(actor_id, "USER_BAN", "USER", user_id, now, reason=reason,
                        before={"status": target.status}, after={"status": UserStatus.BANNED})
    if not users.set_live_status(user_id, UserStatus.BANNED, now, unless_role=Role.ADMIN,
                                 expected_status=target.status, audit=entry,
                                 signing_out=users.signed_out(), ban_reason=reason):
        raise Conflict("the account changed meanwhile; try again", "INVALID_TRANSITION")
    return {"id": user_id, "status": UserStatus.BANNED}


def unban(*, actor_id: str, user_id: str, target: users.UserItem | None, now: datetime) -> dict:
    """Lifts a ban or a pro suspension; a pro's consecutive cancel count restarts at 0."""
    target = _live_target(target)
    entry = audit.entry(actor_id, "USER_UNBAN", "USER", user_id, now,
                        before={"status": target.status,
                                "proConsecutiveCancelCount": int(target.pro_consecutive_cancel_count or 0)},
                        after={"status": UserStatus.ACTIVE, "proConsecutiveCancelCount": 0})
    if not users.set_live_status(user_id, UserStatus.ACTIVE, now, expected_status=target.status,
                                 audit=entry, ban_reason=None, pro_consecutive_cancel_count=0):
        raise Conflict("the account changed meanwhile; try again", "INVALID_TRANSITION")
    return {"id": user_id, "status": UserStatus.ACTIVE}


# ---------------------------------------------------------------- consents (SPEC §15, CNDP)
def _consent_view(item: users.ConsentItem) -> dict:
    return {"kind": item.kind, "granted": item.granted, "termsVersion": item.terms_version,
            "sourceIp": item.source_ip, "source": item.source,
            "recordedAt": to_local_iso(from_storage(item.recorded_at))}


def consents(user: users.UserItem) -> dict:
    return {"items": [_consent_view(item) for item in users.consents_of(user.user_id)]}


def set_marketing_consent(user: users.UserItem, opt_in: bool, source_ip: str | None,
                          now: datetime) -> dict:
    """Every change is a new record (the history is the proof of consent)."""
    record = users.consent_item(user.user_id, rules.ConsentKind.MARKETING, opt_in,
                                rules.TERMS_VERSION, source_ip, "SETTINGS", now)
    users.record_marketing_choice(user, record)
    return consents(user)
