"""KYC state on the pro's user item, the admin review index, and durable purge markers.

Keys:
  USER#<proId> / PROFILE     kyc_status, kyc_submitted_at, kyc_rejection_reason;
                             GSI3 KYC#<status> / <submittedAt>#<proId> (kept in sync with
                             kyc_status by every write here)
  USER#<proId> / KYCDOCS     the exact objects a submission pinned: {doc: {key, versionId}}
                             (written with the submission, deleted with the rejection); what
                             admins review, whatever is written to S3 later
  USER#<proId> / KYCPURGE    "this pro's KYC objects must be deleted (but these)": written in
                             the same transaction as the submission (everything but the pinned
                             versions), the rejection (everything but the next round's prefix)
                             or the account deletion (everything). Each newer marker deletes
                             at least what the older one still had to, so one per pro is
                             enough. Kept until a purge has run after every upload form that
                             could still write under the prefix expired (``forms_expire_at``);
                             GSI3 KYCPURGE / <requestedAt>#<proId> lets the daily job find them
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal import audit as audit_log
from khadamat.dal.base import (GSI3, BaseItem, PageScope, conditionally, connection, decode_page_token,
                               encode_page_token, get_items, get_or_none)
from khadamat.dal.users import UserItem, update_user_item, user_key, write_account
from khadamat.domain.errors import Conflict
from khadamat.domain.accounts import UserStatus
from khadamat.domain.kyc import KycStatus, review_index_keys, review_index_pk

PURGE_INDEX_PK = "KYCPURGE"
ACCOUNT_DELETED = "ACCOUNT_DELETED"


class KycPurgeItem(BaseItem):
    pro_id = UnicodeAttribute()
    reason = UnicodeAttribute()  # SUBMITTED | REJECTED | ACCOUNT_DELETED
    requested_at = UnicodeAttribute()
    forms_expire_at = UnicodeAttribute(null=True)  # repeat the purge until then
    keep_versions = JSONAttribute(null=True)  # [[key, versionId], ...] never deleted
    spare_prefix = UnicodeAttribute(null=True)  # a prefix never deleted (the next round)

    pending = GSI3()

    def spares(self, key: str, version_id: str) -> bool:
        return bool((self.spare_prefix and key.startswith(self.spare_prefix))
                    or [key, version_id] in (self.keep_versions or []))


class KycDocumentsItem(BaseItem):
    pro_id = UnicodeAttribute()
    documents = JSONAttribute()  # {doc: {"key", "versionId"}}
    submitted_at = UnicodeAttribute()


def documents_key(pro_id: str) -> tuple[str, str]:
    return f"USER#{pro_id}", "KYCDOCS"


def purge_key(pro_id: str) -> tuple[str, str]:
    return f"USER#{pro_id}", "KYCPURGE"


def _purge_item(pro_id: str, reason: str, requested_at: str, forms_expire_at: str,
                keep_versions: list | None = None, spare_prefix: str | None = None) -> KycPurgeItem:
    return KycPurgeItem(*purge_key(pro_id), pro_id=pro_id, reason=reason,
                        requested_at=requested_at, forms_expire_at=forms_expire_at,
                        keep_versions=keep_versions, spare_prefix=spare_prefix,
                        GSI3PK=PURGE_INDEX_PK, GSI3SK=f"{requested_at}#{pro_id}")


def _transition(user: UserItem, expected: tuple[KycStatus, ...], target: KycStatus,
                submitted_at: str, now: str, rejection_reason: str | None = None,
                purge: KycPurgeItem | None = None, pins: KycDocumentsItem | None = None,
                drop_pins: bool = False, audit: BaseItem | None = None) -> None:
    """Move kyc_status (and its GSI3 keys) only from an expected status and the submission
    read (so the upload round is the one read), atomically; the purge marker, the pinned
    documents and the admin's audit entry, if any, in the same transaction. ``user`` then
    holds the written state."""
    gsi_pk, gsi_sk = review_index_keys(target, submitted_at, user.user_id)
    actions = [UserItem.kyc_status.set(target), UserItem.kyc_submitted_at.set(submitted_at),
               UserItem.GSI3PK.set(gsi_pk), UserItem.GSI3SK.set(gsi_sk),
               UserItem.updated_at.set(now), _rejection_reason_action(rejection_reason)]
    try:
        with TransactWrite(connection=connection()) as tx:
            write_account(tx, user.user_id, actions,
                          _status_in(expected) & _same_submission(user.kyc_submitted_at))
            if purge:
                tx.save(purge)
            if pins:
                tx.save(pins)
            if drop_pins:
                tx.delete(KycDocumentsItem(*documents_key(user.user_id)))
            if audit is not None:
                audit_log.put_in(tx, audit)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("the KYC status changed meanwhile", "INVALID_TRANSITION") from error
        raise
    user.kyc_status, user.kyc_submitted_at, user.kyc_rejection_reason = target, submitted_at, rejection_reason
    user.GSI3PK, user.GSI3SK, user.updated_at = gsi_pk, gsi_sk, now


def _same_submission(submitted_at: str | None):
    return (UserItem.kyc_submitted_at == submitted_at if submitted_at
            else UserItem.kyc_submitted_at.does_not_exist())


def _rejection_reason_action(reason: str | None):
    return UserItem.kyc_rejection_reason.set(reason) if reason else UserItem.kyc_rejection_reason.remove()


def _status_in(expected: tuple[KycStatus, ...]):
    """A live pro's KYC in one of the expected statuses (a deleted account is never reviewed)."""
    condition = UserItem.kyc_status.is_in(*expected)
    if KycStatus.NOT_SUBMITTED in expected:
        condition = condition | UserItem.kyc_status.does_not_exist()
    return condition & (UserItem.role == "PRO") & (UserItem.status != UserStatus.DELETED)


def submit(user: UserItem, expected: tuple[KycStatus, ...], now: str, documents: dict,
           forms_expire_at: str) -> None:
    """PENDING with the exact objects pinned, and a marker that sweeps every other object
    of the pro once the forms of this round have expired (late uploads included)."""
    keep = [[pin["key"], pin["versionId"]] for pin in documents.values()]
    pins = KycDocumentsItem(*documents_key(user.user_id), pro_id=user.user_id,
                            documents=documents, submitted_at=now)
    sweep = _purge_item(user.user_id, "SUBMITTED", now, forms_expire_at, keep_versions=keep)
    _transition(user, expected, KycStatus.PENDING, submitted_at=now, now=now, purge=sweep, pins=pins)


def approve(pro_id: str, now: str, audit: BaseItem) -> bool:
    """PENDING → APPROVED and its audit entry in one transaction; False when the condition
    failed (no such live pro, or not PENDING). The review index's sort key (the submission
    time) stays: only its partition moves."""
    return update_user_item(
        pro_id,
        [UserItem.kyc_status.set(KycStatus.APPROVED),
         UserItem.GSI3PK.set(review_index_pk(KycStatus.APPROVED)),
         UserItem.updated_at.set(now), _rejection_reason_action(None)],
        _status_in((KycStatus.PENDING,)), audit)


def reject(user: UserItem, reason: str, now: str, forms_expire_at: str,
           next_round_prefix: str, audit: BaseItem | None = None) -> KycPurgeItem:
    """REJECTED, the pins dropped, a purge marker and the audit entry in one transaction: the
    deletion can no longer be forgotten, and it spares the next round's uploads. Answers the
    marker written (the caller purges at once without reading it back)."""
    marker = _purge_item(user.user_id, "REJECTED", now, forms_expire_at,
                         spare_prefix=next_round_prefix)
    _transition(user, (KycStatus.PENDING,), KycStatus.REJECTED, user.kyc_submitted_at, now,
                rejection_reason=reason, purge=marker, drop_pins=True, audit=audit)
    return marker


def deleted_account_marker(pro_id: str, now: str, forms_expire_at: str) -> KycPurgeItem:
    """DELETE /me of a pro: the purge marker, saved in the account's erasure transaction."""
    return _purge_item(pro_id, ACCOUNT_DELETED, now, forms_expire_at)


def get_with_documents(pro_id: str) -> tuple[UserItem | None, KycDocumentsItem | None]:
    """The pro and its pinned documents in one BatchGetItem (admin review)."""
    user, pins = get_items([(UserItem, *user_key(pro_id)), (KycDocumentsItem, *documents_key(pro_id))])
    return user, pins


def drop_documents(pro_id: str) -> None:
    KycDocumentsItem(*documents_key(pro_id)).delete()


def get_documents(pro_id: str) -> KycDocumentsItem | None:
    return get_or_none(KycDocumentsItem, *documents_key(pro_id))


def get_purge(pro_id: str) -> KycPurgeItem | None:
    return get_or_none(KycPurgeItem, *purge_key(pro_id))


def pending_purges(limit: int = 500) -> list[KycPurgeItem]:
    return list(KycPurgeItem.pending.query(PURGE_INDEX_PK, limit=limit))


def clear_purge(pro_id: str, requested_at: str) -> bool:
    """Delete the marker unless a newer request replaced it meanwhile; False if it was gone."""
    return conditionally(KycPurgeItem(*purge_key(pro_id)).delete,
                         condition=KycPurgeItem.requested_at == requested_at)


# ---------------------------------------------------------------- admin review list

def list_by_status(status: KycStatus, limit: int, next_token: str | None,
                   scope: PageScope) -> tuple[list[UserItem], str | None]:
    """Oldest submission first."""
    result = UserItem.by_kyc_status.query(f"KYC#{status}", limit=limit,
                                          last_evaluated_key=decode_page_token(next_token, scope))
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)
