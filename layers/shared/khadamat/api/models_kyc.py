"""Request bodies of the KYC endpoints (SPEC §10)."""

from __future__ import annotations

from pydantic import Field

from khadamat.api.schemas import ApiModel


class KycUploadRequest(ApiModel):
    doc_type: str = Field(max_length=16)
    content_type: str = Field(max_length=64)


class KycRejectRequest(ApiModel):
    reason: str = Field(min_length=1, max_length=500)
