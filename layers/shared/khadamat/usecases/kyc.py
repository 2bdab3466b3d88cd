"""Pro KYC (SPEC §10): presigned uploads, submit, review, and the physical purge of documents.

Documents live only in S3 under kyc/<proId>/<DOCTYPE>; their presence is always read
from S3 (HeadObject), never from what a client says. Every deletion is first made
durable (a purge marker written with the status change), then tried at once; the
daily purge-kyc-documents job retries whatever is still marked.
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from khadamat.adapters import storage
from khadamat.dal import kyc as kyc_dal
from khadamat.dal import users
from khadamat.domain import kyc as rules
from khadamat.domain.accounts import Role, UserStatus
from khadamat.domain.errors import Conflict, NotFound, Unprocessable
from khadamat.domain.kyc import KycStatus
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage
from khadamat.observability import logger
from khadamat.usecases import audit


def _documents_present(pro_id: str) -> dict[str, bool]:
    return {doc: storage.exists(rules.document_key(pro_id, doc)) for doc in rules.DOCUMENT_TYPES}


def upload_url(pro: users.UserItem, doc_type: str, content_type: str) -> dict:
    rules.check_upload_request(doc_type, content_type)
    rules.check_can_upload(rules.status_of(pro.kyc_status))
    _finish_pending_purge(pro.user_id)  # a resubmission must never race an old purge
    post = storage.presigned_upload(rules.document_key(pro.user_id, doc_type), content_type,
                                    rules.MIN_DOCUMENT_BYTES, rules.MAX_DOCUMENT_BYTES,
                                    rules.UPLOAD_URL_TTL_S)
    return {**post, "expiresIn": rules.UPLOAD_URL_TTL_S}


def my_kyc(pro: users.UserItem) -> dict:
    return {"status": rules.status_of(pro.kyc_status), "rejectionReason": pro.kyc_rejection_reason,
            "documents": _documents_present(pro.user_id)}


def submit(pro: users.UserItem, now: datetime) -> dict:
    status = rules.status_of(pro.kyc_status)
    rules.check_can_submit(status, _documents_present(pro.user_id))
    kyc_dal.submit(pro, rules.SUBMITTABLE_FROM, to_storage(now))
    return {"status": KycStatus.PENDING, "rejectionReason": None,
            "documents": {doc: True for doc in rules.DOCUMENT_TYPES}}


# ---------------------------------------------------------------- admin review
def _pro(pro_id: str, pro: users.UserItem | None = None) -> users.UserItem:
    """The live pro ``pro_id`` (``pro``: already read with the caller's account)."""
    pro = pro or users.get_user(pro_id)
    if pro is None or pro.role != Role.PRO or pro.status == UserStatus.DELETED:
        raise NotFound("no such pro")
    return pro


def _summary(pro: users.UserItem) -> dict:
    submitted = pro.kyc_submitted_at
    return {"proId": pro.user_id, "firstName": pro.first_name, "lastName": pro.last_name,
            "cityId": pro.city_id, "status": rules.status_of(pro.kyc_status),
            "submittedAt": to_local_iso(from_storage(submitted)) if submitted else None,
            "rejectionReason": pro.kyc_rejection_reason}


def list_for_review(status: str, limit: int, next_token: str | None) -> dict:
    if status not in rules.LISTABLE:
        raise Unprocessable(f"status must be one of {', '.join(rules.LISTABLE)}")
    items, token = kyc_dal.list_by_status(KycStatus(status), limit, next_token)
    return {"items": [_summary(pro) for pro in items], "nextToken": token}


def review_view(pro_id: str) -> dict:
    """Status and, per present document, a presigned GET valid READ_URL_TTL_S seconds."""
    pro = _pro(pro_id)
    documents = {}
    for doc in rules.DOCUMENT_TYPES:
        key = rules.document_key(pro_id, doc)
        documents[doc] = ({"url": storage.presigned_read(key, rules.READ_URL_TTL_S),
                           "expiresIn": rules.READ_URL_TTL_S} if storage.exists(key) else None)
    return {**_summary(pro), "documents": documents}


def approve(actor_id: str, pro_id: str, pro: users.UserItem | None, now: datetime) -> dict:
    """``pro`` was read with the caller's account; one transaction conditional on a PENDING
    KYC writes the approval and its audit entry. The pro is read again only to say why a
    refused approval was refused."""
    pro = _pro(pro_id, pro)
    rules.check_can_review(rules.status_of(pro.kyc_status))
    entry = audit.entry(actor_id, "KYC_APPROVE", "PRO", pro_id, now,
                        before={"kycStatus": KycStatus.PENDING}, after={"kycStatus": KycStatus.APPROVED})
    if not kyc_dal.approve(pro_id, to_storage(now), entry):
        _explain_refused_review(pro_id)
    pro.kyc_status, pro.kyc_rejection_reason = KycStatus.APPROVED, None
    return _summary(pro)


def reject(actor_id: str, pro_id: str, pro: users.UserItem | None, reason: str,
           now: datetime) -> dict:
    pro = _pro(pro_id, pro)
    rules.check_can_review(rules.status_of(pro.kyc_status))
    entry = audit.entry(actor_id, "KYC_REJECT", "PRO", pro_id, now, reason=reason,
                        before={"kycStatus": KycStatus.PENDING}, after={"kycStatus": KycStatus.REJECTED})
    marker = kyc_dal.reject(pro, reason, to_storage(now), entry)  # pro now holds the written state
    return {**_summary(pro), "documentsDeleted": purge_now(marker)}


def _explain_refused_review(pro_id: str) -> NoReturn:
    rules.check_can_review(rules.status_of(_pro(pro_id).kyc_status))
    raise Conflict("the KYC status changed meanwhile", "INVALID_TRANSITION")


def deleted_account_marker(pro_id: str, now: datetime) -> kyc_dal.KycPurgeItem:
    """DELETE /me of a pro: the purge marker to save with the account's erasure; then purge_now."""
    return kyc_dal.deleted_account_marker(pro_id, to_storage(now))


# ---------------------------------------------------------------- purge
def _purge(marker: kyc_dal.KycPurgeItem) -> int:
    """Delete every version under the pro's prefix, then the marker. Raises StorageError."""
    deleted = storage.delete_all_versions(rules.pro_prefix(marker.pro_id))
    kyc_dal.clear_purge(marker.pro_id, marker.requested_at)
    return deleted


def purge_now(marker: kyc_dal.KycPurgeItem) -> bool:
    """Delete what a marker just written asks for; False leaves it to the daily job."""
    try:
        _purge(marker)
        return True
    except storage.StorageError:
        logger.warning("KYC purge failed; the daily job will retry", extra={"proId": marker.pro_id})
        return False


def _finish_pending_purge(pro_id: str) -> bool:
    """True when nothing is left to purge for this pro; a failure stays marked for the job."""
    marker = kyc_dal.get_purge(pro_id)
    return True if marker is None else purge_now(marker)


def purge_pending() -> dict:
    """The daily job: physically delete the documents of every marked (rejected or deleted) pro.

    Idempotent and safe twice at once: deleting what is gone deletes nothing, and a
    marker is removed only if it is still the one this run read.
    """
    summary = {"pros": 0, "versionsDeleted": 0, "failed": 0}
    for marker in kyc_dal.pending_purges():
        try:
            summary["versionsDeleted"] += _purge(marker)
            summary["pros"] += 1
        except storage.StorageError:
            logger.warning("KYC purge failed; retried next run", extra={"proId": marker.pro_id})
            summary["failed"] += 1
    return summary
