"""Users, uniqueness items (phone, email), refresh tokens and login throttling.

Keys:
  USER#<id> / PROFILE            the account (and a pro's profile fields)
  PHONE#<e164> / UNIQUE          uniqueness of a phone, points to the user
  EMAIL#<lower> / UNIQUE         uniqueness of an email, points to the user
  USER#<id> / REFRESH#<sha256>   a refresh token, stored hashed, ttl 30 days; signed out by
                                 the account's session epoch (``signed_out``), not deleted
  failed logins: khadamat.dal.limits windows (LIMIT#LOGINFAIL#<account or login>)
  USER#<id> / NAMEKEY#FIRST|LAST the admin search's name index AND a copy of the account's
                                 summary fields (``write_account`` keeps it equal):
                                 GSI1 USERNAME#<first folded letter> / <folded name>#<id>
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from pynamodb.attributes import (Attribute, BooleanAttribute, ListAttribute, MapAttribute,
                                 NumberAttribute, UnicodeAttribute, UnicodeSetAttribute)
from pynamodb.constants import STRING
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import SetAction
from pynamodb.transactions import TransactWrite

from khadamat.dal import audit as audit_log
from khadamat.dal.base import (GSI1, GSI2, GSI3, GSI4, GSI5, BaseItem, PageScope, cancellation_codes, connection,
                               decode_page_token, encode_page_token, get_or_none, conditionally)
from khadamat.dal.base import ItemRef  # the path refs (prefetch=): UserRef, ContactRef
from khadamat.domain import accounts as rules
from khadamat.domain.accounts import (Session, UserStatus, looks_like_phone, normalize_email,
                                      normalize_moroccan_mobile)
from khadamat.domain.errors import Conflict, Unprocessable
from khadamat.domain.timeutil import to_storage


def user_key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "PROFILE"


class RowsAttribute(Attribute[list]):
    """A list of flat dicts stored as ONE JSON string of rows, values in ``fields`` order (the
    key names are not repeated per row). A pro's week of hours takes ~90 bytes instead of 274:
    with zero counters not stored, the profile item — and its listing index entries — stays
    under 1 KB, so a review's rating update costs half (docs/benchmarks.md "Cost per booking").
    Readers see the same list of dicts as before; unknown keys are refused, not dropped."""

    attr_type = STRING

    def __init__(self, fields: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.fields = fields

    def serialize(self, value: list) -> str:
        rows = []
        for entry in value:
            row = entry.as_dict() if isinstance(entry, MapAttribute) else dict(entry)
            if unknown := set(row) - set(self.fields):
                raise ValueError(f"{self.attr_name}: unknown keys {sorted(unknown)}")
            values = [_plain_number(row.get(name)) for name in self.fields]
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        return json.dumps(rows, separators=(",", ":"), ensure_ascii=False)

    def get_value(self, value: dict):
        if "L" in value:  # the list-of-maps form (items written before, or by a raw client)
            return value
        return super().get_value(value)

    def deserialize(self, value) -> list[dict]:
        if isinstance(value, dict):
            return [{name: _plain_value(inner) for name, inner in entry.get("M", {}).items()}
                    for entry in value["L"]]
        return [dict(zip(self.fields, row)) for row in json.loads(value)]


def _plain_value(value: dict):
    """One scalar of DynamoDB JSON (S, N, BOOL, NULL) as Python."""
    if "N" in value:
        number = Decimal(value["N"])
        return int(number) if number == int(number) else float(number)
    if "NULL" in value:
        return None
    return value.get("S", value.get("BOOL"))


def _plain_number(value):
    return int(value) if isinstance(value, Decimal) and value == int(value) else value


class UserItem(BaseItem):
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    # SPEC §15: proven by a Verify code; absent on accounts made before wave 2 = not verified
    phone_verified = BooleanAttribute(null=True)
    email = UnicodeAttribute(null=True)
    marketing_opt_in = BooleanAttribute(null=True)  # the latest MARKETING consent (CONSENT# items)
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
    # counters: absent = 0 (every reader says ``or 0``): a new account stores none of them
    late_cancel_count_30d = NumberAttribute(null=True)
    sanction_tier = NumberAttribute(null=True)
    booking_cooldown_until = UnicodeAttribute(null=True)
    # PRO counters, rating aggregate, services and hours (SPEC §4–§6)
    pro_cancel_count_30d = NumberAttribute(null=True)
    pro_consecutive_cancel_count = NumberAttribute(null=True)
    rating_sum = NumberAttribute(null=True)
    rating_count = NumberAttribute(null=True)
    services = RowsAttribute(("categoryId", "pricingType", "minPriceMad", "maxPriceMad", "fixedPriceMad"),
                             null=True)
    weekly_hours = RowsAttribute(("dayOfWeek", "startMin", "endMin"), null=True)
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
    # notification channels the user turned off (SPEC §15; absent = every channel on)
    muted_channels = UnicodeSetAttribute(null=True)
    # signing sessions out (khadamat.domain.accounts): one up per sign-out (absent = 0), and
    # the login chain the latest one spared
    session_epoch = NumberAttribute(null=True)
    kept_chain = UnicodeAttribute(null=True)

    by_kyc_status = GSI3()
    # A pro's profile is its own discovery listing: the i-th stored service's
    # LISTING#<cityId>#<categoryId> key sits on the i-th of these (LISTING_KEYS, dal.pros).
    by_first_listing = GSI1()
    by_second_listing = GSI2()
    by_third_listing = GSI4()
    # ...and, while it stores at least one service, CITYPROS#<cityId> / <proId> lists it in its
    # city whatever the category (GET /pros?cityId= without categoryId, dal.pros.CITY_LISTING_KEY).
    by_city_listing = GSI5()
    # {photoId: {status, createdAt, processedAt?, width?, height?}}, bounded (SPEC §18 photos)
    photos = MapAttribute(null=True)


LISTING_KEYS = (("GSI1PK", "GSI1SK"), ("GSI2PK", "GSI2SK"), ("GSI4PK", "GSI4SK"))
CITY_LISTING_KEY = ("GSI5PK", "GSI5SK")


class UniqueItem(BaseItem):
    user_id = UnicodeAttribute()


# ---------------------------------------------------------------- admin name search (SPEC §17)
# Each account has two NAMEKEY items (first name, last name): an entry of the name index (GSI1,
# left out of it when the name folds to nothing) AND a copy of the account's summary fields, so
# that the index Query's items are the search's answer (GSI1 projects ALL): caller + one Query.
# The copies change only through ``write_account``, in the same write as the account itself.
SUMMARY_FIELDS = ("role", "status", "first_name", "last_name", "phone", "email", "city_id",
                  "kyc_status", "sanction_tier", "created_at")
NAME_PARTS = {"FIRST": "first_name", "LAST": "last_name"}


class NameKeyItem(BaseItem):
    """One of a user's two entries in the admin name search (first name, last name), carrying
    a copy of the account's ``SUMMARY_FIELDS`` (same attribute names and types as UserItem's:
    ``write_account`` applies the account's own update actions to it)."""

    user_id = UnicodeAttribute()
    role = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    city_id = UnicodeAttribute(null=True)
    kyc_status = UnicodeAttribute(null=True)
    sanction_tier = NumberAttribute(null=True)
    created_at = UnicodeAttribute(null=True)

    by_prefix = GSI1()


def fold_name(text: str) -> str:
    """Case- and accent-insensitive form of a name (« Éloïse » → « eloise »)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def name_shard(folded: str) -> str:
    return f"USERNAME#{folded[:1]}"


def name_key(user_id: str, part: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"NAMEKEY#{part}"


def _name_index_keys(user_id: str, name: str | None) -> dict[str, str | None]:
    """A name's entry in GSI1 (None: not indexed, the name folds to nothing)."""
    folded = fold_name(name or "")
    return {"GSI1PK": name_shard(folded) if folded else None,
            "GSI1SK": f"{folded}#{user_id}" if folded else None}


def name_key_items(user: UserItem) -> list[NameKeyItem]:
    """The account's two name-key items as a whole (signup, the backfill)."""
    copy = {field: getattr(user, field) for field in SUMMARY_FIELDS}
    return [NameKeyItem(*name_key(user.user_id, part), user_id=user.user_id, **copy,
                        **_name_index_keys(user.user_id, getattr(user, field)))
            for part, field in NAME_PARTS.items()]


def _field_of(action) -> str:
    return action.values[0].path[0]


def _copied_actions(actions: list) -> list:
    return [action for action in actions if _field_of(action) in SUMMARY_FIELDS]


def _index_actions(user_id: str, name_field: str, copied: list) -> list:
    """A name set (or removed) moves its copy's index entry with it."""
    for action in copied:
        if _field_of(action) == name_field:
            name = next(iter(action.values[1].value.values())) if isinstance(action, SetAction) else None
            return [getattr(NameKeyItem, key).set(value) if value else getattr(NameKeyItem, key).remove()
                    for key, value in _name_index_keys(user_id, name).items()]
    return []


def write_account(tx: TransactWrite, user_id: str, actions: list, condition=None) -> int:
    """THE way an account is updated in a transaction: in ``tx``, the update of
    ``USER#<id>/PROFILE`` and — when it sets or removes a summary field — the same actions on
    its two name-key copies (no read, no second write: the copies receive exactly the
    account's changes, in its transaction). Answers how many copy updates were added."""
    tx.update(UserItem(*user_key(user_id)), actions=actions, condition=condition)
    copied = _copied_actions(actions)
    if not copied:
        return 0
    for part, name_field in NAME_PARTS.items():
        tx.update(NameKeyItem(*name_key(user_id, part)),
                  actions=[*copied, *_index_actions(user_id, name_field, copied)])
    return len(NAME_PARTS)


def update_user_item(user_id: str, actions: list, condition=None, audit: BaseItem | None = None) -> bool:
    """An account update on its own: one UpdateItem when it changes no summary field and has
    no audit entry, else one transaction (``write_account`` + the audit entry). False when
    ``condition`` failed (nothing written)."""
    if audit is None and not _copied_actions(actions):
        return conditionally(UserItem(*user_key(user_id)).update, actions=actions, condition=condition)
    try:
        with TransactWrite(connection=connection()) as tx:
            write_account(tx, user_id, actions, condition)
            if audit is not None:
                audit_log.put_in(tx, audit)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def user_summaries_by_name_prefix(prefix: str, limit: int, next_token: str | None, scope: PageScope
                                  ) -> tuple[list[NameKeyItem], str | None]:
    """The copies of the users whose first or last name starts with ``prefix`` (folded), one
    per user: one Query."""
    folded = fold_name(prefix)
    result = NameKeyItem.by_prefix.query(name_shard(folded), NameKeyItem.GSI1SK.startswith(folded),
                                         limit=limit, last_evaluated_key=decode_page_token(next_token, scope))
    copies: dict[str, NameKeyItem] = {}
    for item in result:  # a user both of whose names match comes once
        copies.setdefault(item.user_id, item)
    return list(copies.values()), encode_page_token(result.last_evaluated_key, scope)


def refresh_name_keys(user_id: str) -> bool:
    """Backfill (infra/admin/backfill_name_keys.py): the account's name-key items rewritten
    whole from its PROFILE (deleted for a DELETED account), in a transaction conditioned on
    every summary field still being as read; False when it changed meanwhile (run again)."""
    user = get_user(user_id)
    if user is None:
        return True
    unchanged = UserItem.PK.exists()
    for field in SUMMARY_FIELDS:
        value, attribute = getattr(user, field), getattr(UserItem, field)
        unchanged &= attribute.does_not_exist() if value is None else attribute == value
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.condition_check(UserItem, *user_key(user_id), condition=unchanged)
            for item in name_key_items(user):
                if user.status == UserStatus.DELETED:
                    tx.delete(item)
                else:
                    tx.save(item)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


class RefreshTokenItem(BaseItem):
    user_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    # Rotation (SPEC §3): every token of one login shares its chain (the first token's hash);
    # a rotated token is kept, marked, until it expires: presenting it again is a reuse.
    chain = UnicodeAttribute(null=True)
    rotated_at = UnicodeAttribute(null=True)
    epoch = NumberAttribute(null=True)  # the account's session epoch when issued (absent = 0)


def phone_key(phone: str) -> tuple[str, str]:
    return f"PHONE#{phone}", "UNIQUE"


def email_key(email: str) -> tuple[str, str]:
    return f"EMAIL#{email}", "UNIQUE"


class UserRef(ItemRef):
    """The account a request's path names (/admin/users/{id}/…, /admin/kyc/{proId}/…)."""

    model = UserItem

    def item_key(self) -> tuple[str, str]:
        return user_key(self.id)


MAX_CONTACT_LENGTH = 254


class ContactRef(ItemRef):
    """The uniqueness item of the exact phone (either form) or email a search names; no item
    for anything else (a name prefix). A phone no Moroccan mobile can have names a key no
    account has: an empty answer, not an error."""

    model = UniqueItem

    def item_key(self) -> tuple[str, str]:
        contact = self.id.strip()
        if "@" in contact:
            return email_key(normalize_email(contact))
        try:
            return phone_key(normalize_moroccan_mobile(contact))
        except Unprocessable:
            return "PHONE#-", "UNIQUE"

    def key(self) -> tuple[type[UniqueItem], str, str] | None:
        contact = self.id.strip()
        if not 0 < len(contact) <= MAX_CONTACT_LENGTH or not ("@" in contact or looks_like_phone(contact)):
            return None
        return self.model, *self.item_key()


class ConsentItem(BaseItem):
    """One consent given or withdrawn (SPEC §15, CNDP): ``USER#<id>`` / ``CONSENT#<at>#<kind>``."""

    kind = UnicodeAttribute()
    granted = BooleanAttribute()
    terms_version = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    source = UnicodeAttribute()          # SIGNUP or SETTINGS
    recorded_at = UnicodeAttribute()


def consent_item(user_id: str, kind: str, granted: bool, terms_version: str | None,
                 source_ip: str | None, source: str, now: datetime) -> ConsentItem:
    at = to_storage(now)
    return ConsentItem(f"USER#{user_id}", f"CONSENT#{at}#{kind}", kind=kind, granted=granted,
                       terms_version=terms_version, source_ip=source_ip, source=source,
                       recorded_at=at)


def consents_of(user_id: str) -> list[ConsentItem]:
    """Oldest first (the sort key starts with the time)."""
    return list(ConsentItem.query(f"USER#{user_id}", ConsentItem.SK.startswith("CONSENT#")))


def record_marketing_choice(user: UserItem, consent: ConsentItem) -> None:
    """The consent record and the account's current choice, together."""
    with TransactWrite(connection=connection()) as tx:
        tx.save(consent, condition=ConsentItem.PK.does_not_exist())
        tx.update(user, actions=[UserItem.marketing_opt_in.set(consent.granted)],
                  condition=UserItem.status != UserStatus.DELETED)


def create_user(user: UserItem, consents: tuple[ConsentItem, ...] = (),
                also_save: tuple[BaseItem, ...] = ()) -> None:
    """The user, its phone/email uniqueness items, its name search keys and its signup
    consents, all or nothing (409 ACCOUNT_EXISTS); ``also_save`` (e.g. the audit entry of an
    admin's creation) in the same transaction."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(user, condition=UserItem.PK.does_not_exist())
            tx.save(UniqueItem(*phone_key(user.phone), user_id=user.user_id),
                    condition=UniqueItem.PK.does_not_exist())
            tx.save(UniqueItem(*email_key(user.email), user_id=user.user_id),
                    condition=UniqueItem.PK.does_not_exist())
            for consent in consents:
                tx.save(consent)
            for name_key in name_key_items(user):
                tx.save(name_key)
            for item in also_save:
                tx.save(item, condition=BaseItem.PK.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("an account with this phone or email already exists", "ACCOUNT_EXISTS")
        raise


def get_user(user_id: str) -> UserItem | None:
    return get_or_none(UserItem, *user_key(user_id))


def get_users(user_ids) -> dict[str, UserItem]:
    """Accounts by id, in one BatchGetItem (absent ones left out)."""
    keys = [user_key(user_id) for user_id in set(user_ids)]
    return {user.user_id: user for user in UserItem.batch_get(keys)} if keys else {}


def find_user_id(unique_key: tuple[str, str]) -> str | None:
    item = get_or_none(UniqueItem, *unique_key)
    return item.user_id if item else None


def set_status(user: UserItem, status: UserStatus, now: datetime, **extra) -> None:
    update_user_item(user.user_id, _status_actions(status, now, extra))
    user.status = status


def set_live_status(user_id: str, status: UserStatus, now: datetime, *,
                    unless_role: str | None = None, expected_status: str | None = None,
                    audit: BaseItem | None = None, signing_out: SignOut | None = None, **extra) -> bool:
    """An admin's status change by id, in one conditional write (no read first): only
    on a live account (present, not DELETED), not one of role ``unless_role`` and, when
    given, still in ``expected_status``. With ``audit`` (khadamat.dal.audit) the change and
    its audit entry are one TransactWriteItems; ``signing_out`` rides in the same update.
    False when the condition failed (the caller reads the account to say why)."""
    condition = UserItem.PK.exists() & (UserItem.status != UserStatus.DELETED)
    if unless_role:
        condition &= UserItem.role != unless_role
    if expected_status:
        condition &= UserItem.status == expected_status
    actions = _status_actions(status, now, extra)
    if signing_out is not None:
        actions, condition = actions + signing_out.actions, signing_out.and_(condition)
    return update_user_item(user_id, actions, condition, audit)


def _status_actions(status: UserStatus, now: datetime, extra: dict) -> list:
    actions = [UserItem.status.set(status), UserItem.updated_at.set(to_storage(now))]
    for name, value in extra.items():
        attribute = getattr(UserItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def mark_phone_verified(user: UserItem, e164: str, tx: TransactWrite) -> None:
    """In ``tx``: the account's phone is verified, if it is still ``e164``."""
    tx.update(user, actions=[UserItem.phone_verified.set(True)],
              condition=(UserItem.phone == e164) & (UserItem.status != UserStatus.DELETED))


def still_signs_in(user: UserItem, tx: TransactWrite) -> None:
    """In ``tx``: the account read before is unchanged in what lets it sign in by its phone."""
    tx.condition_check(UserItem, *user_key(user.user_id),
                       condition=(UserItem.status == user.status) & (UserItem.phone == user.phone)
                       & (UserItem.phone_verified == True))  # noqa: E712 (a condition, not a test)


def replace_phone(user: UserItem, e164: str, now: datetime, tx: TransactWrite,
                  signing_out: SignOut) -> None:
    """In ``tx``: the new number replaces the old one, verified; uniqueness moves with it;
    ``signing_out`` ends the account's other sessions in the same write."""
    write_account(tx, user.user_id, [UserItem.phone.set(e164), UserItem.phone_verified.set(True),
                                     UserItem.updated_at.set(to_storage(now)), *signing_out.actions],
                  condition=signing_out.and_((UserItem.phone == user.phone)
                                             & (UserItem.status != UserStatus.DELETED)))
    tx.delete(UniqueItem(*phone_key(user.phone)),
              condition=UniqueItem.user_id == user.user_id)
    tx.save(UniqueItem(*phone_key(e164), user_id=user.user_id),
            condition=UniqueItem.PK.does_not_exist())


def set_password(user_id: str, password_hash: str, now: datetime, signing_out: SignOut) -> bool:
    """The new hash and ``signing_out``, in one write; False when there is no live account (or
    ``signing_out``'s condition failed: another sign-out meanwhile)."""
    return conditionally(UserItem(*user_key(user_id)).update,
                         actions=[UserItem.password_hash.set(password_hash), UserItem.updated_at.set(to_storage(now)),
                                  *signing_out.actions],
                         condition=signing_out.and_(UserItem.PK.exists() & (UserItem.status != UserStatus.DELETED)))


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
            *(getattr(UserItem, name).remove() for pair in (*LISTING_KEYS, CITY_LISTING_KEY)
              for name in pair),
            UserItem.GSI3PK.remove(), UserItem.GSI3SK.remove(), *signed_out().actions,
        ])
        tx.delete(UniqueItem(*phone_key(user.phone)))
        tx.delete(UniqueItem(*email_key(user.email)))
        for part in NAME_PARTS:  # a deleted account is never listed: its copies go
            tx.delete(NameKeyItem(*name_key(user.user_id, part)))
        for item in also_save:
            tx.save(item)


# ---------------------------------------------------------------- refresh tokens
class SignOut(NamedTuple):
    """The update actions that sign an account's sessions out, and their condition (or None)."""

    actions: list
    condition: object | None

    def and_(self, condition):
        return condition if self.condition is None else condition & self.condition


def signed_out(user: UserItem | None = None, *, sparing: Session | None = None) -> SignOut:
    """Every refresh token issued so far stops refreshing (the account's session epoch one up),
    but those of the caller's own chain when ``sparing`` names a session still signed in. Sparing
    is judged on the epoch read with ``user``: the write holds only if it has not moved (a
    concurrent sign-out must not revive a chain it ended). Saved with the account change that
    causes it, in the same write: no token is read or deleted (they expire by their ttl)."""
    epoch = int(user.session_epoch or 0) if user is not None else 0
    spared = rules.chain_to_spare(sparing, epoch, user.kept_chain) if user is not None else None
    if spared is None:
        return SignOut([UserItem.session_epoch.add(1), UserItem.kept_chain.remove()], None)
    return SignOut([UserItem.session_epoch.set(epoch + 1), UserItem.kept_chain.set(spared)],
                   _still(UserItem.session_epoch, epoch))


def refresh_token_live(token: RefreshTokenItem, user: UserItem) -> bool:
    """Not signed out since it was issued (khadamat.domain.accounts.refresh_token_live)."""
    return rules.refresh_token_live(int(token.epoch or 0), token.chain or _hash_of(token),
                                    int(user.session_epoch or 0), user.kept_chain)


def save_refresh_token(user_id: str, token_hash: str, expires_at: datetime,
                       chain: str | None = None) -> None:
    refresh_token_item(user_id, token_hash, expires_at, chain or token_hash).save()


def refresh_token_item(user_id: str, token_hash: str, expires_at: datetime, chain: str,
                       epoch: int = 0) -> RefreshTokenItem:
    return RefreshTokenItem(f"USER#{user_id}", f"REFRESH#{token_hash}", user_id=user_id, chain=chain,
                            expires_at=to_storage(expires_at), ttl=int(expires_at.timestamp()),
                            epoch=epoch or None)


def get_refresh_token(user_id: str, token_hash: str) -> RefreshTokenItem | None:
    return get_or_none(RefreshTokenItem, f"USER#{user_id}", f"REFRESH#{token_hash}")


def get_refresh_token_and_user(user_id: str, token_hash: str
                               ) -> tuple[RefreshTokenItem | None, UserItem | None]:
    """The token (revocation, rotation) and its account (a ban or deletion since): one batch."""
    from khadamat.dal.base import get_items

    token, user = get_items([(RefreshTokenItem, f"USER#{user_id}", f"REFRESH#{token_hash}"),
                             (UserItem, *user_key(user_id))])
    return token, user


def rotate_refresh_token(old: RefreshTokenItem, new_hash: str, expires_at: datetime,
                         now: datetime, epoch: int) -> bool:
    """Marks ``old`` rotated and saves its successor in the same chain, all or nothing; False
    when ``old`` was rotated (or revoked) meanwhile: only one of concurrent rotations wins."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(old, actions=[RefreshTokenItem.rotated_at.set(to_storage(now))],
                      condition=RefreshTokenItem.PK.exists() & RefreshTokenItem.rotated_at.does_not_exist())
            tx.save(refresh_token_item(old.user_id, new_hash, expires_at, old.chain or _hash_of(old), epoch))
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def _hash_of(token: RefreshTokenItem) -> str:
    return token.SK.removeprefix("REFRESH#")


def delete_refresh_token(user_id: str, token_hash: str) -> None:
    RefreshTokenItem(f"USER#{user_id}", f"REFRESH#{token_hash}").delete()


def revoke_chain(user_id: str, chain: str) -> int:
    """Every refresh token of one login chain, rotated ones too (a reuse: SPEC §3); signing
    every (other) session out is ``signed_out``."""
    tokens = [token for token in RefreshTokenItem.query(f"USER#{user_id}",
                                                        RefreshTokenItem.SK.startswith("REFRESH#"))
              if (token.chain or _hash_of(token)) == chain]
    with RefreshTokenItem.batch_write() as batch:
        for token in tokens:
            batch.delete(token)
    return len(tokens)


# ---------------------------------------------------------------- login throttling
def read_login_account(unique_key: tuple[str, str] | None) -> str | None:
    """The account a login names (its phone or email uniqueness item), or None."""
    return find_user_id(unique_key) if unique_key else None


def read_user_and_window(user_id: str | None, window: tuple[str, str]
                         ) -> tuple[UserItem | None, int]:
    """The account (when the login names one) and the hits in its failure window: one
    BatchGetItem."""
    from khadamat.dal.base import get_items
    from khadamat.dal.limits import LimitWindowItem

    keys = [(LimitWindowItem, *window), *([(UserItem, *user_key(user_id))] if user_id else [])]
    window_item, *user = get_items(keys)
    return (user[0] if user else None), int(window_item.hits) if window_item else 0


def clear_window(window: tuple[str, str]) -> None:
    from khadamat.dal.limits import LimitWindowItem

    LimitWindowItem(*window).delete()


# ---------------------------------------------------------------- self-service (PATCH /me, preferences)
def _live_account():
    return UserItem.PK.exists() & (UserItem.status != UserStatus.DELETED)


def update_account(user: UserItem, now: datetime, *, first_name: str | None = None,
                   last_name: str | None = None, new_email: str | None = None) -> None:
    """Names and email of a live account, in one transaction with what depends on them: a new
    email swaps its EMAIL# uniqueness item (the new one must not exist → 409 ACCOUNT_EXISTS,
    the old one goes), new names move the admin search's name keys (names and email reach the
    name-key copies through ``write_account``); the user item must still be live and hold the
    old email (a concurrent change → 409 CONFLICT)."""
    actions = [UserItem.updated_at.set(to_storage(now))]
    actions += [attribute.set(value) for attribute, value in
                ((UserItem.first_name, first_name), (UserItem.last_name, last_name),
                 (UserItem.email, new_email)) if value is not None]
    deletes = 0
    try:
        with TransactWrite(connection=connection()) as tx:
            if new_email is not None:
                tx.save(UniqueItem(*email_key(new_email), user_id=user.user_id),
                        condition=UniqueItem.PK.does_not_exist())
                tx.delete(UniqueItem(*email_key(user.email)), condition=UniqueItem.user_id == user.user_id)
                deletes += 1
            write_account(tx, user.user_id, actions, _live_account() & (UserItem.email == user.email))
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        # pynamodb's order (TRAPS.md): Delete, Put (the email's first), Update
        if new_email is not None and cancellation_codes(error)[deletes:deletes + 1] == ["ConditionalCheckFailed"]:
            raise Conflict("an account with this email already exists", "ACCOUNT_EXISTS")
        raise Conflict("the account changed meanwhile; try again")
    for attribute, value in (("first_name", first_name), ("last_name", last_name),
                             ("email", new_email)):
        if value is not None:
            setattr(user, attribute, value)


def set_muted_channels(user: UserItem, muted: set[str], now: datetime) -> None:
    """The notification channels turned off; none muted removes the attribute (the default)."""
    actions = [UserItem.updated_at.set(to_storage(now)),
               UserItem.muted_channels.set(muted) if muted else UserItem.muted_channels.remove()]
    try:
        user.update(actions=actions, condition=_live_account())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("the account changed meanwhile; try again")
        raise


# ---------------------------------------------------------------- booking-driven updates
# What a booking transaction (khadamat.dal.bookings.BookingTx.update_user) changes on an
# account: (update actions, extra condition). The condition keeps a counter at the value read,
# so two cancels at once cannot both count as the same n.
def _still(counter, value: int):
    """Condition: the counter is still at the value read (absent counts as 0)."""
    return (counter == value) | counter.does_not_exist() if value == 0 else counter == value


def late_cancel_update(client: UserItem, late_cancels: int, tier: int, cooldown_until: datetime | None,
                       ban_reason: str | None) -> tuple[list, object]:
    """A client's late cancel: the trailing count, the sanction tier, a cooldown, a ban. The
    tier is set only when it changes (a summary field: setting it rewrites the admin search's
    name-key copies); the guard keeps the count — hence the tier written with it — as read."""
    actions = [UserItem.late_cancel_count_30d.set(late_cancels)]
    if tier != int(client.sanction_tier or 0):
        actions.append(UserItem.sanction_tier.set(tier))
    if cooldown_until:
        actions.append(UserItem.booking_cooldown_until.set(to_storage(cooldown_until)))
    if ban_reason:
        actions += [UserItem.status.set(UserStatus.BANNED), UserItem.ban_reason.set(ban_reason)]
    return actions, _still(UserItem.late_cancel_count_30d, int(client.late_cancel_count_30d or 0))


def pro_cancel_update(pro: UserItem, cancels: list[datetime], suspend: bool) -> tuple[list, object]:
    """A pro's cancel of a CONFIRMED booking: the window's cancels (``cancels``, this one
    included), the consecutive count one up, and the suspension when due."""
    consecutive = int(pro.pro_consecutive_cancel_count or 0)
    actions = [UserItem.pro_cancel_log.set([to_storage(moment) for moment in cancels]),
               UserItem.pro_cancel_count_30d.set(len(cancels)),
               UserItem.pro_consecutive_cancel_count.set(consecutive + 1)]
    if suspend:
        actions.append(UserItem.status.set(UserStatus.SUSPENDED))
    return actions, _still(UserItem.pro_consecutive_cancel_count, consecutive)


def cancel_streak_reset() -> list:
    """A completed booking ends the pro's run of consecutive cancels."""
    return [UserItem.pro_consecutive_cancel_count.set(0)]


def rating_added(rating: int) -> list:
    """A review's stars join the pro's rating aggregate (atomic ADDs)."""
    return [UserItem.rating_sum.add(rating), UserItem.rating_count.add(1)]


# ---------------------------------------------------------------- local stage only
def dev_set_pro_state(pro_id: str, kyc_status: str | None, category_ids: list[str] | None) -> bool:
    """`POST /_dev/pros/{id}/state`: a test-only shortcut for KYC and services (local stage);
    False when there is no such account."""
    actions = []
    if kyc_status is not None:
        actions.append(UserItem.kyc_status.set(kyc_status))
    if category_ids is not None:
        actions.append(UserItem.services.set([{"categoryId": c} for c in category_ids]))
    if not actions:
        return True
    return update_user_item(pro_id, actions, UserItem.PK.exists())
