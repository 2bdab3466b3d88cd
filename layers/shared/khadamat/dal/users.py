"""Users, uniqueness items (phone, email), refresh tokens and login throttling.

Keys:
  USER#<id> / PROFILE            the account (and a pro's profile fields)
  PHONE#<e164> / UNIQUE          uniqueness of a phone, points to the user
  EMAIL#<lower> / UNIQUE         uniqueness of an email, points to the user
  USER#<id> / REFRESH#<sha256>   a refresh token, stored hashed, ttl 30 days
  LOGIN#<login> / THROTTLE       failed logins of one login in the current window
  USER#<id> / NAMEKEY#FIRST|LAST the admin search's name index (written with the user):
                                 GSI1 USERNAME#<first folded letter> / <folded name>#<id>
"""

from __future__ import annotations

import time
import unicodedata
from datetime import datetime

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import GetError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from khadamat.dal import audit as audit_log
from khadamat.dal.base import GSI1, GSI2, GSI3, GSI4, BaseItem, connection
from khadamat.domain.accounts import UserStatus
from khadamat.domain.errors import Conflict
from khadamat.domain.timeutil import from_storage, to_storage


def user_key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "PROFILE"


class UserItem(BaseItem):
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    city_id = UnicodeAttribute(null=True)
    whatsapp = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    ban_reason = UnicodeAttribute(null=True)
    # admin TOTP (SPEC §17): the secret being enrolled, then the confirmed one
    mfa_pending_secret = UnicodeAttribute(null=True)
    mfa_secret = UnicodeAttribute(null=True)
    # CLIENT penalties (SPEC §6)
    late_cancel_count_30d = NumberAttribute(default=0)
    sanction_tier = NumberAttribute(default=0)
    booking_cooldown_until = UnicodeAttribute(null=True)
    # PRO counters, rating aggregate, services and hours (SPEC §4–§6)
    pro_cancel_count_30d = NumberAttribute(default=0)
    pro_consecutive_cancel_count = NumberAttribute(default=0)
    rating_sum = NumberAttribute(default=0)
    rating_count = NumberAttribute(default=0)
    services = ListAttribute(of=MapAttribute, null=True)
    weekly_hours = ListAttribute(of=MapAttribute, null=True)
    pro_cancel_log = ListAttribute(of=UnicodeAttribute, null=True)  # last 30 days, storage ts
    kyc_status = UnicodeAttribute(null=True)
    kyc_submitted_at = UnicodeAttribute(null=True)
    kyc_rejection_reason = UnicodeAttribute(null=True)
    # PRO monetization state (SPEC §12), read at request time against the clock
    premium_until = UnicodeAttribute(null=True)
    premium_plan = UnicodeAttribute(null=True)
    boosts = ListAttribute(of=MapAttribute, null=True)  # [{categoryId, startsAt, endsAt}]
    # {id: {startAt, endAt, reason?, createdAt}}, bounded (dal.pros.MAX_EXCEPTIONS)
    availability_exceptions = MapAttribute(null=True)

    by_kyc_status = GSI3()
    # A pro's profile is its own discovery listing: the i-th stored service's
    # LISTING#<cityId>#<categoryId> key sits on the i-th of these (LISTING_KEYS, dal.pros).
    by_first_listing = GSI1()
    by_second_listing = GSI2()
    by_third_listing = GSI4()


LISTING_KEYS = (("GSI1PK", "GSI1SK"), ("GSI2PK", "GSI2SK"), ("GSI4PK", "GSI4SK"))


class UniqueItem(BaseItem):
    user_id = UnicodeAttribute()


class NameKeyItem(BaseItem):
    """One of a user's two entries in the admin name search (first name, last name)."""

    user_id = UnicodeAttribute()

    by_prefix = GSI1()


def fold_name(text: str) -> str:
    """Case- and accent-insensitive form of a name (« Éloïse » → « eloise »)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def name_shard(folded: str) -> str:
    return f"USERNAME#{folded[:1]}"


def name_key_items(user_id: str, first_name: str, last_name: str) -> list[NameKeyItem]:
    """The search entries of a user's names; save them with every write of the names."""
    items = []
    for part, name in (("FIRST", first_name), ("LAST", last_name)):
        folded = fold_name(name)
        if folded:
            items.append(NameKeyItem(f"USER#{user_id}", f"NAMEKEY#{part}", user_id=user_id,
                                     GSI1PK=name_shard(folded), GSI1SK=f"{folded}#{user_id}"))
    return items


def user_ids_by_name_prefix(prefix: str, limit: int, next_token: str | None
                            ) -> tuple[list[str], str | None]:
    """Users whose first or last name starts with ``prefix`` (folded): one Query."""
    from khadamat.dal import pagetoken

    folded = fold_name(prefix)
    result = NameKeyItem.by_prefix.query(name_shard(folded), NameKeyItem.GSI1SK.startswith(folded),
                                         limit=limit, last_evaluated_key=pagetoken.decode(next_token))
    ids = list(dict.fromkeys(item.user_id for item in result))
    return ids, pagetoken.encode(result.last_evaluated_key)


class RefreshTokenItem(BaseItem):
    user_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()


class LoginThrottleItem(BaseItem):
    failures = NumberAttribute(default=0)
    window_start = UnicodeAttribute()


def phone_key(phone: str) -> tuple[str, str]:
    return f"PHONE#{phone}", "UNIQUE"


def email_key(email: str) -> tuple[str, str]:
    return f"EMAIL#{email}", "UNIQUE"


def create_user(user: UserItem, also_save: tuple[BaseItem, ...] = ()) -> None:
    """The user and its phone/email uniqueness items, all or nothing (409 ACCOUNT_EXISTS);
    ``also_save`` (e.g. the audit entry of an admin's creation) in the same transaction."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(user, condition=UserItem.PK.does_not_exist())
            tx.save(UniqueItem(*phone_key(user.phone), user_id=user.user_id),
                    condition=UniqueItem.PK.does_not_exist())
            tx.save(UniqueItem(*email_key(user.email), user_id=user.user_id),
                    condition=UniqueItem.PK.does_not_exist())
            for name_key in name_key_items(user.user_id, user.first_name, user.last_name):
                tx.save(name_key)
            for item in also_save:
                tx.save(item, condition=BaseItem.PK.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("an account with this phone or email already exists", "ACCOUNT_EXISTS")
        raise


def get_user(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(*user_key(user_id))
    except UserItem.DoesNotExist:
        return None


def find_user_id(unique_key: tuple[str, str]) -> str | None:
    try:
        return UniqueItem.get(*unique_key).user_id
    except UniqueItem.DoesNotExist:
        return None


def set_status(user: UserItem, status: UserStatus, now: datetime, **extra) -> None:
    user.update(actions=_status_actions(status, now, extra))


def set_live_status(user_id: str, status: UserStatus, now: datetime, *,
                    unless_role: str | None = None, expected_status: str | None = None,
                    audit: BaseItem | None = None, **extra) -> bool:
    """An admin's status change by id, in one conditional write (no read first): only
    on a live account (present, not DELETED), not one of role ``unless_role`` and, when
    given, still in ``expected_status``. With ``audit`` (khadamat.dal.audit) the change and
    its audit entry are one TransactWriteItems. False when the condition failed (the caller
    reads the account to say why)."""
    condition = UserItem.PK.exists() & (UserItem.status != UserStatus.DELETED)
    if unless_role:
        condition &= UserItem.role != unless_role
    if expected_status:
        condition &= UserItem.status == expected_status
    actions = _status_actions(status, now, extra)
    if audit is not None:
        return audit_log.update_with(UserItem(*user_key(user_id)), actions, condition, audit)
    try:
        UserItem(*user_key(user_id)).update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _status_actions(status: UserStatus, now: datetime, extra: dict) -> list:
    actions = [UserItem.status.set(status), UserItem.updated_at.set(to_storage(now))]
    for name, value in extra.items():
        attribute = getattr(UserItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def erase_user(user: UserItem, now: datetime, also_save: tuple[BaseItem, ...] = ()) -> None:
    """DELETE /me: the account is kept as a tombstone without personal data, out of the KYC
    review index (GSI3); ``also_save`` (e.g. a KYC purge marker) is written in the same
    transaction."""
    with TransactWrite(connection=connection()) as tx:
        tx.update(user, actions=[
            UserItem.status.set(UserStatus.DELETED), UserItem.updated_at.set(to_storage(now)),
            UserItem.first_name.set("Compte"), UserItem.last_name.set("supprimé"),
            UserItem.phone.remove(), UserItem.email.remove(), UserItem.password_hash.remove(),
            UserItem.whatsapp.remove(), UserItem.bio.remove(),
            UserItem.availability_exceptions.remove(),
            *(getattr(UserItem, name).remove() for pair in LISTING_KEYS for name in pair),
            UserItem.GSI3PK.remove(), UserItem.GSI3SK.remove(),
        ])
        tx.delete(UniqueItem(*phone_key(user.phone)))
        tx.delete(UniqueItem(*email_key(user.email)))
        for name_key in name_key_items(user.user_id, user.first_name, user.last_name):
            tx.delete(name_key)
        for item in also_save:
            tx.save(item)


# ---------------------------------------------------------------- refresh tokens
def save_refresh_token(user_id: str, token_hash: str, expires_at: datetime) -> None:
    RefreshTokenItem(f"USER#{user_id}", f"REFRESH#{token_hash}", user_id=user_id,
                     expires_at=to_storage(expires_at), ttl=int(expires_at.timestamp())).save()


def get_refresh_token(user_id: str, token_hash: str) -> RefreshTokenItem | None:
    try:
        return RefreshTokenItem.get(f"USER#{user_id}", f"REFRESH#{token_hash}")
    except RefreshTokenItem.DoesNotExist:
        return None


def delete_refresh_token(user_id: str, token_hash: str) -> None:
    RefreshTokenItem(f"USER#{user_id}", f"REFRESH#{token_hash}").delete()


def revoke_all_refresh_tokens(user_id: str) -> int:
    tokens = list(RefreshTokenItem.query(f"USER#{user_id}", RefreshTokenItem.SK.startswith("REFRESH#")))
    with RefreshTokenItem.batch_write() as batch:
        for token in tokens:
            batch.delete(token)
    return len(tokens)


# ---------------------------------------------------------------- login throttling
def throttle_key(login: str) -> tuple[str, str]:
    return f"LOGIN#{login}", "THROTTLE"


def _failures_of(item: LoginThrottleItem | None) -> tuple[int, datetime | None]:
    return (int(item.failures), from_storage(item.window_start)) if item else (0, None)


def read_login(throttle_login: str, unique_key: tuple[str, str] | None
               ) -> tuple[int, datetime | None, str | None]:
    """A login's failures in the current window and the user id its phone or email points
    to: two independent items, one BatchGetItem."""
    keys = [throttle_key(throttle_login), *([unique_key] if unique_key else [])]
    found = _batch_get_raw(keys)
    throttle = found.get(keys[0])
    unique = found.get(unique_key) if unique_key else None
    return (*_failures_of(LoginThrottleItem.from_raw_data(throttle) if throttle else None),
            UniqueItem.from_raw_data(unique).user_id if unique else None)


def _batch_get_raw(keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Items of several models by key, raw (DynamoDB JSON), keyed by (PK, SK)."""
    client, table = connection().client, UserItem.Meta.table_name
    request = {table: {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in keys]}}
    found: dict[tuple[str, str], dict] = {}
    for attempt in range(5):
        if attempt:
            time.sleep(0.05 * 2 ** attempt)  # unprocessed keys mean throttling: back off
        response = client.batch_get_item(RequestItems=request)
        for raw in response.get("Responses", {}).get(table, []):
            found[(raw["PK"]["S"], raw["SK"]["S"])] = raw
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return found
    raise GetError("BatchGetItem left keys unprocessed")


def record_login_failure(login: str, now: datetime, window_expired: bool, ttl: datetime) -> None:
    """Count a failure atomically: ADD inside the current window, else start a new one."""
    item = LoginThrottleItem(*throttle_key(login))
    if not window_expired:
        try:
            item.update(actions=[LoginThrottleItem.failures.add(1)],
                        condition=LoginThrottleItem.window_start.exists())
            return
        except UpdateError:
            pass
    LoginThrottleItem(*throttle_key(login), failures=1, window_start=to_storage(now),
                      ttl=int(ttl.timestamp())).save()


def clear_login_failures(login: str) -> None:
    LoginThrottleItem(*throttle_key(login)).delete()
