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
           role: str, city_id: str | None, whatsapp: str | None, now: datetime) -> users.UserItem:
    if role not in rules.SELF_SERVICE_ROLES:
        raise Unprocessable("role must be CLIENT or PRO")
    return create_account(phone=phone, email=email, password=password, first_name=first_name,
                          last_name=last_name, role=Role(role), city_id=city_id,
                          whatsapp=whatsapp, now=now)


def create_account(*, phone: str, email: str, password: str, first_name: str, last_name: str,
                   role: Role, city_id: str | None, whatsapp: str | None,
                   now: datetime, created_by: str | None = None) -> users.UserItem:
    """Every account is made here; ADMIN only ever from the seed, never from signup."""
    e164 = rules.normalize_moroccan_mobile(phone)
    if problem := rules.password_problem(password):
        raise Unprocessable(problem)
    if not first_name or not last_name:
        raise Unprocessable("firstName and lastName must not be empty")
    if role == Role.PRO and city_id not in CITY_IDS:
        raise Unprocessable(f"cityId is required for a PRO and must be one of {', '.join(CITY_IDS)}")
    user = users.UserItem(
        *users.user_key(user_id := str(uuid.uuid4())), user_id=user_id, role=role,
        status=UserStatus.ACTIVE, phone=e164, email=rules.normalize_email(email),
        password_hash=passwords.hash_password(password), first_name=first_name,
        last_name=last_name, city_id=city_id if role == Role.PRO else None,
        whatsapp=rules.normalize_moroccan_mobile(whatsapp, "whatsapp") if whatsapp else None,
        kyc_status="NOT_SUBMITTED" if role == Role.PRO else None, created_at=to_storage(now))
    # an ADMIN made by a script or /_dev/admins is audited in the same transaction
    entry = audit.entry(created_by, "ADMIN_CREATE", "USER", user_id, now,
                        after={"role": role, "email": user.email}) if created_by else None
    users.create_user(user, also_save=(entry,) if entry else ())
    return user


def _unique_key_for_login(login: str) -> tuple[str, str] | None:
    if rules.looks_like_phone(login):
        try:
            return users.phone_key(rules.normalize_moroccan_mobile(login))
        except Unprocessable:
            return None
    return users.email_key(rules.normalize_email(login))


def _throttle_id(login: str, key: tuple[str, str] | None) -> str:
    """Both spellings of one phone share a throttle window."""
    return key[0] if key else rules.normalize_email(login)


def login(*, login: str, password: str, now: datetime) -> dict:
    key = _unique_key_for_login(login)
    throttle_id = _throttle_id(login, key)
    failures, window_start, user_id = users.read_login(throttle_id, key)
    if rules.is_login_throttled(failures, window_start, now):
        raise RateLimited("too many failed logins; try again in 15 minutes")
    user = _user_with_password(user_id, password)
    if user is None:
        users.record_login_failure(throttle_id, now, rules.failure_window_expired(window_start, now),
                                   ttl=now + rules.LOGIN_FAILURE_WINDOW)
        raise InvalidCredentials("wrong login or password")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    if failures:
        users.clear_login_failures(throttle_id)
    if mfa.requires_second_step(user):  # an admin with TOTP: the code comes at /auth/mfa
        return mfa.challenge(user, now)
    return _session_for(user, now)


def login_second_step(*, mfa_token: str, code: str, now: datetime) -> dict:
    return _session_for(mfa.verified_user(mfa_token, code, now), now)


def _user_with_password(user_id: str | None, password: str) -> users.UserItem | None:
    user = users.get_user(user_id) if user_id else None
    if user is None or user.status == UserStatus.DELETED:
        passwords.burn_password_check(password)
        return None
    return user if passwords.verify_password(user.password_hash, password) else None


def _session_for(user: users.UserItem, now: datetime) -> dict:
    refresh_token = security.new_refresh_token(user.user_id)
    users.save_refresh_token(user.user_id, security.hash_token(refresh_token),
                             now + rules.REFRESH_TOKEN_TTL)
    return {
        "accessToken": security.issue_access_token(user.user_id, user.role, now),
        "refreshToken": refresh_token,
        "expiresIn": int(rules.ACCESS_TOKEN_TTL.total_seconds()),
        "user": {"id": user.user_id, "role": user.role, "firstName": user.first_name,
                 "lastName": user.last_name},
    }


def refresh(*, refresh_token: str, now: datetime) -> dict:
    user_id = security.refresh_token_owner(refresh_token)
    stored = users.get_refresh_token(user_id, security.hash_token(refresh_token))
    if stored is None or from_storage(stored.expires_at) <= now:
        raise Unauthorized("invalid or expired refresh token")
    user = users.get_user(user_id)
    if user is None or user.status == UserStatus.DELETED:
        raise Unauthorized("invalid or expired refresh token")
    if user.status == UserStatus.BANNED:
        raise Forbidden("this account is banned", "ACCOUNT_BANNED")
    return {"accessToken": security.issue_access_token(user.user_id, user.role, now),
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
            "email": user.email, "firstName": user.first_name, "lastName": user.last_name}
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
    without reading it back (and the daily job retries it if S3 fails)."""
    marker = kyc.deleted_account_marker(user.user_id, now) if user.role == Role.PRO else None
    users.erase_user(user, now, also_save=(marker,) if marker else ())
    users.revoke_all_refresh_tokens(user.user_id)
    if marker:
        kyc.purge_now(marker)


def _live_target(target: users.UserItem | None) -> users.UserItem:
    if target is None or target.status == UserStatus.DELETED:
        raise NotFound("no such user")
    return target


def ban(*, actor_id: str, user_id: str, target: users.UserItem | None, reason: str,
        now: datetime) -> dict:
    """``target`` was read with the caller's account; the write is conditional on the status
    read then (the audit entry's ``before``), in one transaction with that entry."""
    target = _live_target(target)
    if target.role == Role.ADMIN:
        raise Forbidden("an admin account cannot be banned")
    entry = audit.entry(actor_id, "USER_BAN", "USER", user_id, now, reason=reason,
                        before={"status": target.status}, after={"status": UserStatus.BANNED})
    if not users.set_live_status(user_id, UserStatus.BANNED, now, unless_role=Role.ADMIN,
                                 expected_status=target.status, audit=entry, ban_reason=reason):
        raise Conflict("the account changed meanwhile; try again", "INVALID_TRANSITION")
    users.revoke_all_refresh_tokens(user_id)
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
