"""Request and response bodies of the KYC endpoints (SPEC §10)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from khadamat.api.schemas import ApiModel


class KycUploadRequest(ApiModel):
    doc_type: str = Field(max_length=16)
    content_type: str = Field(max_length=64)


class KycRejectRequest(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


# ---------------------------------------------------------------- responses (SPEC §10)
class KycDocuments(ApiModel):
    """Which of the three documents are uploaded (or pinned by the submission)."""
    model_config = ConfigDict(alias_generator=None)
    CIN_FRONT: bool
    CIN_BACK: bool
    SELFIE: bool


class KycView(ApiModel):
    status: str
    rejection_reason: str | None
    documents: KycDocuments


class DocumentUpload(ApiModel):
    """A presigned S3 POST: send ``fields`` and the file to ``url`` within ``expiresIn`` seconds."""
    url: str
    fields: dict[str, str]
    expires_in: int


class KycSummary(ApiModel):
    pro_id: str
    first_name: str | None
    last_name: str | None
    city_id: str | None
    status: str
    submitted_at: str | None
    rejection_reason: str | None


class KycRejected(KycSummary):
    documents_deleted: bool


class KycPage(ApiModel):
    items: list[KycSummary]
    next_token: str | None


class DocumentLink(ApiModel):
    url: str
    expires_in: int


class KycReviewDocuments(ApiModel):
    """A presigned GET of each pinned document (null before a submission and once rejected)."""
    model_config = ConfigDict(alias_generator=None)
    CIN_FRONT: DocumentLink | None
    CIN_BACK: DocumentLink | None
    SELFIE: DocumentLink | None


class KycReview(KycSummary):
    documents: KycReviewDocuments
