"""The admin's view of accounts (SPEC §17): search by phone, email or name prefix, and the
detail page (counters, penalties, KYC, subscription, last bookings)."""

from __future__ import annotations

from khadamat.dal import admin_views, users
from khadamat.dal.base import PageScope
from khadamat.domain.accounts import Role, UserStatus
from khadamat.domain.errors import NotFound, Unprocessable
from khadamat.domain.timeutil import from_storage, to_local_iso

MIN_NAME_PREFIX = 1


def _iso(stored: str | None) -> str | None:
    return to_local_iso(from_storage(stored)) if stored else None


def summary(user: users.UserItem | users.NameKeyItem) -> dict:
    """From the account, or from one of its name-key copies (the same fields, same names)."""
    return {"id": user.user_id, "role": user.role, "status": user.status,
            "firstName": user.first_name, "lastName": user.last_name, "phone": user.phone,
            "email": user.email, "cityId": user.city_id,
            "kycStatus": user.kyc_status if user.role == Role.PRO else None,
            "sanctionTier": int(user.sanction_tier or 0), "createdAt": _iso(user.created_at)}


def _check_filters(role: str | None, status: str | None) -> None:
    if role and role not in Role.__members__:
        raise Unprocessable(f"role must be one of {', '.join(Role)}")
    if status and status not in UserStatus.__members__:
        raise Unprocessable(f"status must be one of {', '.join(UserStatus)}")


def search(admin, query: str, role: str | None, status: str | None, limit: int,
           next_token: str | None, unique_item=None) -> dict:
    """``unique_item``: the phone/email uniqueness item (users.ContactRef), read with the caller's account."""
    _check_filters(role, status)
    query = (query or "").strip()
    if len(query) < MIN_NAME_PREFIX:
        raise Unprocessable("query is required: a phone, an email or the start of a name")
    if users.ContactRef(query).key() is not None:
        found = users.get_user(unique_item.user_id) if unique_item else None
        candidates, token = ([found] if found else []), None
    else:
        scope = PageScope("GET /admin/users", admin.user_id, {"query": query, "role": role, "status": status})
        # the name-key items carry the summary fields (dal.users.write_account): no account read
        candidates, token = users.user_summaries_by_name_prefix(query, limit, next_token, scope)
    items = [summary(user) for user in candidates
             if user.status != UserStatus.DELETED
             and (not role or user.role == role) and (not status or user.status == status)]
    return {"items": items, "nextToken": token}


def _penalty_view(item) -> dict:
    return {"type": item.type, "bookingId": item.booking_id, "createdAt": _iso(item.created_at)}


def _booking_view(item) -> dict:
    return {"id": item.booking_id, "status": item.status, "timeSlot": _iso(item.time_slot),
            "cityId": item.city_id, "categoryId": item.category_id, "clientId": item.client_id,
            "proId": item.pro_id, "createdAt": _iso(item.created_at)}


def _subscription_view(item) -> dict:
    return {"id": item.subscription_id, "plan": item.plan, "status": item.status,
            "currentPeriodEnd": _iso(item.current_period_end),
            "commitmentEndsAt": _iso(item.commitment_ends_at), "endedAt": _iso(item.ended_at)}


def detail(user_id: str, user: users.UserItem | None) -> dict:
    """``user`` was read with the caller's account."""
    if user is None or user.status == UserStatus.DELETED:
        raise NotFound("no such user")
    is_pro = user.role == Role.PRO
    rating_count = int(user.rating_count or 0)
    counters = {"lateCancelCount30d": int(user.late_cancel_count_30d or 0),
                "sanctionTier": int(user.sanction_tier or 0),
                "bookingCooldownUntil": _iso(user.booking_cooldown_until),
                "proCancelCount30d": int(user.pro_cancel_count_30d or 0),
                "proConsecutiveCancelCount": int(user.pro_consecutive_cancel_count or 0),
                "ratingCount": rating_count,
                "ratingAverage": round(int(user.rating_sum or 0) / rating_count, 2) if rating_count else None}
    return {**summary(user), "banReason": user.ban_reason, "counters": counters,
            "penalties": [_penalty_view(p) for p in admin_views.penalties_newest_first(user_id)],
            "kyc": {"status": user.kyc_status, "submittedAt": _iso(user.kyc_submitted_at),
                    "rejectionReason": user.kyc_rejection_reason} if is_pro else None,
            "subscription": {"premiumUntil": _iso(user.premium_until), "plan": user.premium_plan,
                             "items": [_subscription_view(s) for s in admin_views.subscriptions(user_id)]}
            if is_pro else None,
            "bookings": [_booking_view(b) for b in admin_views.last_bookings(user_id, is_pro)]}
