"""Pro KYC rules (SPEC §10): documents, content types, status machine, object keys.

Pure: no boto3. The S3 conditions themselves live in khadamat.adapters.storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from khadamat.domain.errors import Conflict, Unprocessable


class KycStatus(StrEnum):
    NOT_SUBMITTED = "NOT_SUBMITTED"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


DOCUMENT_TYPES = ("CIN_FRONT", "CIN_BACK", "SELFIE")
CONTENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
MIN_DOCUMENT_BYTES = 1
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
UPLOAD_URL_TTL_S = 600
# An upload form is usable until UPLOAD_URL_TTL_S after it was issued; a purge is repeated
# until then (plus this margin for clock skew between Lambda and S3), to catch late uploads.
FORMS_GRACE_S = 60
READ_URL_TTL_S = 300  # SPEC: a presigned GET valid at most 5 minutes

SUBMITTABLE_FROM = (KycStatus.NOT_SUBMITTED, KycStatus.REJECTED)
REVIEWABLE_FROM = (KycStatus.PENDING,)
LISTABLE = (KycStatus.PENDING, KycStatus.APPROVED, KycStatus.REJECTED)


def pro_prefix(pro_id: str) -> str:
    """Every object of one pro lives under this prefix (the purge deletes it whole)."""
    return f"kyc/{pro_id}/"


def upload_round(submitted_at: str | None) -> str:
    """The round of the forms issued now: "r0" before the first submission, then one per
    rejected submission (named after its time). Forms are issued only in NOT_SUBMITTED or
    REJECTED, so a form's round is the one the next submission pins from, and a rejection's
    purge can spare the round that follows it."""
    return "r" + ("".join(c for c in submitted_at if c.isdigit()) if submitted_at else "0")


def round_prefix(pro_id: str, round_id: str) -> str:
    return f"{pro_prefix(pro_id)}{round_id}/"


def document_key(pro_id: str, round_id: str, doc_type: str, upload_id: str) -> str:
    """A key per upload form (SPEC §10): a form used again can only rewrite its own key."""
    return f"{round_prefix(pro_id, round_id)}{doc_type}/{upload_id}"


def upload_id(issued_at: str, nonce: str) -> str:
    """Sorts by the form's issue time: S3's LastModified has one-second resolution, so two
    uploads within a second are told apart by which form was issued later."""
    return "".join(c for c in issued_at if c.isdigit()) + "-" + nonce


def newest_uploads(objects: Iterable[Mapping], prefix: str) -> dict[str, dict]:
    """Per document type, the most recent current object under a round's prefix:
    ``objects`` are {"key", "versionId", "lastModified"}; answers {doc: {"key", "versionId"}}."""
    newest: dict[str, Mapping] = {}
    for obj in objects:
        doc = obj["key"][len(prefix):].split("/", 1)[0] if obj["key"].startswith(prefix) else None
        if doc in DOCUMENT_TYPES and (doc not in newest or
                                      (obj["lastModified"], obj["key"]) > (newest[doc]["lastModified"],
                                                                          newest[doc]["key"])):
            newest[doc] = obj
    return {doc: {"key": obj["key"], "versionId": obj["versionId"]} for doc, obj in newest.items()}


def check_upload_request(doc_type: str, content_type: str) -> None:
    if doc_type not in DOCUMENT_TYPES:
        raise Unprocessable(f"docType must be one of {', '.join(DOCUMENT_TYPES)}")
    if content_type not in CONTENT_TYPES:
        raise Unprocessable(f"contentType must be one of {', '.join(CONTENT_TYPES)}")


def check_can_upload(status: KycStatus) -> None:
    """Documents change only before a (re)submission: never under review or once approved."""
    if status not in SUBMITTABLE_FROM:
        raise Conflict(f"KYC is {status}: documents can no longer be changed", "INVALID_TRANSITION")


def status_of(raw: str | None) -> KycStatus:
    return KycStatus(raw) if raw else KycStatus.NOT_SUBMITTED


def check_submittable(status: KycStatus) -> None:
    if status not in SUBMITTABLE_FROM:
        raise Conflict(f"KYC is {status}: it cannot be submitted again", "INVALID_TRANSITION")


def check_can_submit(status: KycStatus, documents: dict[str, bool]) -> None:
    check_submittable(status)
    missing = [doc for doc in DOCUMENT_TYPES if not documents.get(doc)]
    if missing:
        raise Conflict(f"missing documents: {', '.join(missing)}", "KYC_DOCUMENTS_MISSING")


def check_can_review(status: KycStatus) -> None:
    if status not in REVIEWABLE_FROM:
        raise Conflict(f"KYC is {status}: only a PENDING KYC can be reviewed", "INVALID_TRANSITION")


def is_verified(raw_status: str | None) -> bool:
    """Discovery's badge VERIFIED."""
    return raw_status == KycStatus.APPROVED


def review_index_pk(status: KycStatus) -> str:
    return f"KYC#{status}"


def review_index_keys(status: KycStatus, submitted_at: str, pro_id: str) -> tuple[str, str]:
    """GSI3 keys of a pro's user item while its KYC has a reviewable status (the sort key,
    fixed at submission, never changes on review)."""
    return review_index_pk(status), f"{submitted_at}#{pro_id}"
