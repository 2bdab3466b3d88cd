"""Pro KYC (SPEC §10): presigned uploads, submit, review, and the physical purge of documents.

Documents live only in S3, one key per upload form: kyc/<proId>/<round>/<DOCTYPE>/<uploadId>;
their presence is always read from S3, never from what a client says. Submit pins the
newest upload of each document (key + version): admins read exactly that version, whatever
a form used again writes later. Every deletion is first made durable (a purge marker
written with the status change), then tried at once; the daily purge-kyc-documents job
repeats it until every form that could still write under the prefix has expired, so a late
upload with an old form is purged too.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NoReturn

from khadamat.adapters import storage
from khadamat.dal import kyc as kyc_dal
from khadamat.dal import users
from khadamat.dal.base import PageScope
from khadamat.domain import kyc as rules
from khadamat.domain.accounts import Role, UserStatus
from khadamat.domain.errors import Conflict, NotFound, Unprocessable
from khadamat.domain.kyc import KycStatus
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage
from khadamat.observability import logger
from khadamat.usecases import audit


def _round_prefix(pro: users.UserItem) -> str:
    """Where the forms issued in the pro's current state write (and submit pins from)."""
    return rules.round_prefix(pro.user_id, rules.upload_round(pro.kyc_submitted_at))


def _newest_uploads(pro: users.UserItem) -> dict[str, dict]:
    prefix = _round_prefix(pro)
    return rules.newest_uploads(storage.current_objects(prefix), prefix)


def _forms_expire_at(issued_until: datetime) -> str:
    """When every upload form issued up to ``issued_until`` has expired (with a margin)."""
    return to_storage(issued_until + timedelta(seconds=rules.UPLOAD_URL_TTL_S + rules.FORMS_GRACE_S))


def upload_url(pro: users.UserItem, doc_type: str, content_type: str, now: datetime) -> dict:
    """A presigned POST for a key of its own, in the round the next submission pins from."""
    rules.check_upload_request(doc_type, content_type)
    rules.check_can_upload(rules.status_of(pro.kyc_status))
    key = rules.document_key(pro.user_id, rules.upload_round(pro.kyc_submitted_at), doc_type,
                             rules.upload_id(to_storage(now), uuid.uuid4().hex[:12]))
    post = storage.presigned_upload(key, content_type, rules.MIN_DOCUMENT_BYTES,
                                    rules.MAX_DOCUMENT_BYTES, rules.UPLOAD_URL_TTL_S)
    return {**post, "expiresIn": rules.UPLOAD_URL_TTL_S}


def my_kyc(pro: users.UserItem) -> dict:
    status = rules.status_of(pro.kyc_status)
    if status in rules.SUBMITTABLE_FROM:
        uploaded = _newest_uploads(pro)
        documents = {doc: doc in uploaded for doc in rules.DOCUMENT_TYPES}
    else:  # PENDING or APPROVED: the submission pinned all three
        documents = {doc: True for doc in rules.DOCUMENT_TYPES}
    return {"status": status, "rejectionReason": pro.kyc_rejection_reason, "documents": documents}


def submit(pro: users.UserItem, now: datetime) -> dict:
    """Pins the newest upload of each document (key + version) with the status change."""
    status = rules.status_of(pro.kyc_status)
    rules.check_submittable(status)  # before reading S3
    uploaded = _newest_uploads(pro)
    rules.check_can_submit(status, {doc: doc in uploaded for doc in rules.DOCUMENT_TYPES})
    kyc_dal.submit(pro, rules.SUBMITTABLE_FROM, to_storage(now), uploaded, _forms_expire_at(now))
    return {"status": KycStatus.PENDING, "rejectionReason": None,
            "documents": {doc: True for doc in rules.DOCUMENT_TYPES}}


# ---------------------------------------------------------------- admin review
def _check_live_pro(pro: users.UserItem | None) -> None:
    if pro is None or pro.role != Role.PRO or pro.status == UserStatus.DELETED:
        raise NotFound("no such pro")


def _pro(pro_id: str, pro: users.UserItem | None = None) -> users.UserItem:
    """The live pro ``pro_id`` (``pro``: already read with the caller's account)."""
    pro = pro or users.get_user(pro_id)
    _check_live_pro(pro)
    return pro


def _summary(pro: users.UserItem) -> dict:
    submitted = pro.kyc_submitted_at
    return {"proId": pro.user_id, "firstName": pro.first_name, "lastName": pro.last_name,
            "cityId": pro.city_id, "status": rules.status_of(pro.kyc_status),
            "submittedAt": to_local_iso(from_storage(submitted)) if submitted else None,
            "rejectionReason": pro.kyc_rejection_reason}


def list_for_review(admin: users.UserItem, status: str, limit: int, next_token: str | None) -> dict:
    if status not in rules.LISTABLE:
        raise Unprocessable(f"status must be one of {', '.join(rules.LISTABLE)}")
    scope = PageScope("GET /admin/kyc", admin.user_id, {"status": status})
    items, token = kyc_dal.list_by_status(KycStatus(status), limit, next_token, scope)
    return {"items": [_summary(pro) for pro in items], "nextToken": token}


def review_view(pro_id: str) -> dict:
    """Status and, per pinned document, a presigned GET of that exact version valid
    READ_URL_TTL_S seconds (null before a submission and once rejected)."""
    pro, pins = kyc_dal.get_with_documents(pro_id)
    _check_live_pro(pro)
    pinned = pins.documents if pins else {}
    documents = {doc: ({"url": storage.presigned_read(pinned[doc]["key"], rules.READ_URL_TTL_S,
                                                      version_id=pinned[doc]["versionId"]),
                        "expiresIn": rules.READ_URL_TTL_S} if doc in pinned else None)
                 for doc in rules.DOCUMENT_TYPES}
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
    submitted_at = from_storage(pro.kyc_submitted_at)  # no form was issued after the submission
    next_round = rules.round_prefix(pro_id, rules.upload_round(pro.kyc_submitted_at))
    marker = kyc_dal.reject(pro, reason, to_storage(now), _forms_expire_at(submitted_at),
                            next_round, entry)  # pro now holds the written state
    return {**_summary(pro), "documentsDeleted": purge_now(marker, now)}


def _explain_refused_review(pro_id: str) -> NoReturn:
    rules.check_can_review(rules.status_of(_pro(pro_id).kyc_status))
    raise Conflict("the KYC status changed meanwhile", "INVALID_TRANSITION")


def deleted_account_marker(pro_id: str, now: datetime) -> kyc_dal.KycPurgeItem:
    """DELETE /me of a pro: the purge marker to save with the account's erasure; then
    purge_now. Kept until the forms issued up to now have expired."""
    return kyc_dal.deleted_account_marker(pro_id, to_storage(now), _forms_expire_at(now))


# ---------------------------------------------------------------- purge
def _purge(marker: kyc_dal.KycPurgeItem, now: datetime) -> int:
    """Delete every version under the pro's prefix but what the marker spares; then the
    marker, once no upload form can write there any more. Raises StorageError."""
    deleted = storage.delete_all_versions(rules.pro_prefix(marker.pro_id), keep=marker.spares)
    if marker.forms_expire_at is None or to_storage(now) >= marker.forms_expire_at:
        cleared = kyc_dal.clear_purge(marker.pro_id, marker.requested_at)
        if cleared and marker.reason == kyc_dal.ACCOUNT_DELETED:
            kyc_dal.drop_documents(marker.pro_id)  # pins of objects that are gone
    return deleted


def purge_now(marker: kyc_dal.KycPurgeItem, now: datetime) -> bool:
    """Delete what a marker just written asks for; False leaves it to the daily job."""
    try:
        _purge(marker, now)
        return True
    except storage.StorageError:
        logger.warning("KYC purge failed; the daily job will retry", extra={"proId": marker.pro_id})
        return False


def purge_pending(now: datetime) -> dict:
    """The daily job: physically delete what every marker asks for (rejected or deleted pros,
    the unpinned uploads of a submission, late uploads with old forms).

    Idempotent and safe twice at once: deleting what is gone deletes nothing, and a
    marker is removed only if it is still the one this run read.
    """
    summary = {"pros": 0, "versionsDeleted": 0, "failed": 0}
    for marker in kyc_dal.pending_purges():
        try:
            summary["versionsDeleted"] += _purge(marker, now)
            summary["pros"] += 1
        except storage.StorageError:
            logger.warning("KYC purge failed; retried next run", extra={"proId": marker.pro_id})
            summary["failed"] += 1
    return summary
