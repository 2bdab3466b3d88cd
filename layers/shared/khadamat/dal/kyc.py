"""KYC state on the pro's user item, the admin review index, and durable purge markers.

Keys:
  USER#<proId> / PROFILE     kyc_status, kyc_submitted_at, kyc_rejection_reason;
                             GSI3 KYC#<status> / <submittedAt>#<proId> (kept in sync with
                             kyc_status by every write here)
  USER#<proId> / KYCPURGE    "this pro's KYC objects must be deleted": written in the same
                             transaction as the rejection or the account deletion, deleted
                             once S3 confirms; GSI3 KYCPURGE / <requestedAt>#<proId> lets the
                             daily job find them by Query
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal import audit as audit_log
from khadamat.dal import pagetoken
from khadamat.dal.base import GSI3, BaseItem, connection
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.errors import Conflict
from khadamat.domain.accounts import UserStatus
from khadamat.domain.kyc import KycStatus, review_index_keys, review_index_pk

PURGE_INDEX_PK = "KYCPURGE"


class KycPurgeItem(BaseItem):
    pro_id = UnicodeAttribute()
    reason = UnicodeAttribute()  # REJECTED | ACCOUNT_DELETED
    requested_at = UnicodeAttribute()

    pending = GSI3()


def purge_key(pro_id: str) -> tuple[str, str]:
    return f"USER#{pro_id}", "KYCPURGE"


def _purge_item(pro_id: str, reason: str, requested_at: str) -> KycPurgeItem:
    return KycPurgeItem(*purge_key(pro_id), pro_id=pro_id, reason=reason,
                        requested_at=requested_at, GSI3PK=PURGE_INDEX_PK,
                        GSI3SK=f"{requested_at}#{pro_id}")


def _transition(user: UserItem, expected: tuple[KycStatus, ...], target: KycStatus,
                submitted_at: str, now: str, rejection_reason: str | None = None,
                purge: KycPurgeItem | None = None, audit: BaseItem | None = None) -> None:
    """Move kyc_status (and its GSI3 keys) only from an expected status, atomically; the
    purge marker, if any, in the same transaction. ``user`` then holds the written state."""
    gsi_pk, gsi_sk = review_index_keys(target, submitted_at, user.user_id)
    actions = [UserItem.kyc_status.set(target), UserItem.kyc_submitted_at.set(submitted_at),
               UserItem.GSI3PK.set(gsi_pk), UserItem.GSI3SK.set(gsi_sk),
               UserItem.updated_at.set(now), _rejection_reason_action(rejection_reason)]
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(UserItem(*user_key(user.user_id)), actions=actions,
                      condition=_status_in(expected))
            if purge:
                tx.save(purge)
            if audit is not None:
                audit_log.put_in(tx, audit)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("the KYC status changed meanwhile", "INVALID_TRANSITION") from error
        raise
    user.kyc_status, user.kyc_submitted_at, user.kyc_rejection_reason = target, submitted_at, rejection_reason
    user.GSI3PK, user.GSI3SK, user.updated_at = gsi_pk, gsi_sk, now


def _rejection_reason_action(reason: str | None):
    return UserItem.kyc_rejection_reason.set(reason) if reason else UserItem.kyc_rejection_reason.remove()


def _status_in(expected: tuple[KycStatus, ...]):
    """A live pro's KYC in one of the expected statuses (a deleted account is never reviewed)."""
    condition = UserItem.kyc_status.is_in(*expected)
    if KycStatus.NOT_SUBMITTED in expected:
        condition = condition | UserItem.kyc_status.does_not_exist()
    return condition & (UserItem.role == "PRO") & (UserItem.status != UserStatus.DELETED)


def submit(user: UserItem, expected: tuple[KycStatus, ...], now: str) -> None:
    _transition(user, expected, KycStatus.PENDING, submitted_at=now, now=now)


def approve(pro_id: str, now: str, audit: BaseItem) -> bool:
    """PENDING → APPROVED and its audit entry in one transaction; False when the condition
    failed (no such live pro, or not PENDING). The review index's sort key (the submission
    time) stays: only its partition moves."""
    return audit_log.update_with(
        UserItem(*user_key(pro_id)),
        [UserItem.kyc_status.set(KycStatus.APPROVED),
         UserItem.GSI3PK.set(review_index_pk(KycStatus.APPROVED)),
         UserItem.updated_at.set(now), _rejection_reason_action(None)],
        _status_in((KycStatus.PENDING,)), audit)


def reject(user: UserItem, reason: str, now: str, audit: BaseItem | None = None) -> KycPurgeItem:
    """REJECTED and a purge marker in one transaction: the deletion can no longer be forgotten.
    Answers the marker written (the caller purges at once without reading it back)."""
    marker = _purge_item(user.user_id, "REJECTED", now)
    _transition(user, (KycStatus.PENDING,), KycStatus.REJECTED, user.kyc_submitted_at, now,
                rejection_reason=reason, purge=marker, audit=audit)
    return marker


def deleted_account_marker(pro_id: str, now: str) -> KycPurgeItem:
    """DELETE /me of a pro: the purge marker, saved in the account's erasure transaction."""
    return _purge_item(pro_id, "ACCOUNT_DELETED", now)


def get_purge(pro_id: str) -> KycPurgeItem | None:
    try:
        return KycPurgeItem.get(*purge_key(pro_id))
    except KycPurgeItem.DoesNotExist:
        return None


def pending_purges(limit: int = 500) -> list[KycPurgeItem]:
    return list(KycPurgeItem.pending.query(PURGE_INDEX_PK, limit=limit))


def clear_purge(pro_id: str, requested_at: str) -> bool:
    """Delete the marker unless a newer request replaced it meanwhile; False if it was gone."""
    try:
        KycPurgeItem(*purge_key(pro_id)).delete(
            condition=KycPurgeItem.requested_at == requested_at)
        return True
    except DeleteError:
        return False


# ---------------------------------------------------------------- admin review list

def list_by_status(status: KycStatus, limit: int, next_token: str | None) -> tuple[list[UserItem], str | None]:
    """Oldest submission first."""
    result = UserItem.by_kyc_status.query(f"KYC#{status}", limit=limit,
                                          last_evaluated_key=pagetoken.decode(next_token))
    items = list(result)
    return items, pagetoken.encode(result.last_evaluated_key)
