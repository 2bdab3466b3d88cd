"""Request bodies of the report endpoints (SPEC §8)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from khadamat.api.schemas import ApiModel
from khadamat.domain.reports import MAX_ATTACHMENT_URL_LENGTH, MAX_ATTACHMENTS

AttachmentUrl = Annotated[str, Field(min_length=1, max_length=MAX_ATTACHMENT_URL_LENGTH)]


class ReportRequest(ApiModel):
    title: str = Field(min_length=1, max_length=120)
    details: str = Field(min_length=1, max_length=4000)
    # https URLs only (khadamat.domain.reports.check_attachments checks the scheme)
    attachments: list[AttachmentUrl] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class ReportStatusRequest(ApiModel):
    status: str = Field(min_length=1, max_length=16)
    resolution_note: str | None = Field(default=None, max_length=2000)


# ---------------------------------------------------------------- responses (SPEC §8)
class ReportView(ApiModel):
    id: str
    booking_id: str
    reporter_id: str
    reporter_role: str
    title: str
    details: str | None
    attachments: list[str]
    status: str
    priority: str
    is_within_dispute_window: bool
    resolution_note: str | None
    created_at: str
    updated_at: str


class ReportPage(ApiModel):
    items: list[ReportView]
    next_token: str | None
