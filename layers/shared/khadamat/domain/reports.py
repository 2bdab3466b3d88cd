"""Report (dispute) rules (SPEC §8): dispute window, priority, transitions, attachments."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlparse

from khadamat.domain.errors import Conflict, Unprocessable

DISPUTE_WINDOW = timedelta(hours=48)
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_URL_LENGTH = 500


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    IN_REVIEW = "IN_REVIEW"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"


class Priority(StrEnum):
    HIGH = "HIGH"
    NORMAL = "NORMAL"


# sorts HIGH before NORMAL in the admin index
PRIORITY_RANK = {Priority.HIGH: "0", Priority.NORMAL: "1"}

TRANSITIONS = {
    ReportStatus.OPEN: (ReportStatus.IN_REVIEW, ReportStatus.RESOLVED, ReportStatus.REJECTED),
    ReportStatus.IN_REVIEW: (ReportStatus.RESOLVED, ReportStatus.REJECTED),
    ReportStatus.RESOLVED: (),
    ReportStatus.REJECTED: (),
}


def is_within_dispute_window(booking_status: str, completed_at: datetime | None,
                             now: datetime) -> bool:
    return (booking_status == "COMPLETED" and completed_at is not None
            and now <= completed_at + DISPUTE_WINDOW)


def priority_for(within_dispute_window: bool) -> Priority:
    return Priority.HIGH if within_dispute_window else Priority.NORMAL


def parse_status(target: str) -> ReportStatus:
    if target not in ReportStatus.__members__:
        raise Unprocessable(f"status must be one of {', '.join(ReportStatus)}")
    return ReportStatus(target)


def sources_of(target: ReportStatus) -> tuple[ReportStatus, ...]:
    """The statuses a report may move to ``target`` from (the write's condition)."""
    return tuple(source for source, targets in TRANSITIONS.items() if target in targets)


def check_transition(current: str, target: str) -> None:
    if ReportStatus(current) not in sources_of(parse_status(target)):
        raise Conflict(f"a report cannot go from {current} to {target}", "INVALID_TRANSITION")


def check_attachments(attachments: list[str]) -> None:
    """At most 5 https URLs, each at most 500 characters, with a host."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise Unprocessable(f"attachments: at most {MAX_ATTACHMENTS}")
    for index, url in enumerate(attachments):
        parsed = urlparse(url)
        if (len(url) > MAX_ATTACHMENT_URL_LENGTH or parsed.scheme != "https"
                or not parsed.hostname or any(c.isspace() for c in url)):
            raise Unprocessable(f"attachments[{index}]: must be an https URL of at most "
                                f"{MAX_ATTACHMENT_URL_LENGTH} characters")


def index_sort_key(priority: Priority, created_at: str, report_id: str) -> str:
    """GSI1 sort key: HIGH first, then oldest first."""
    return f"{PRIORITY_RANK[priority]}#{created_at}#{report_id}"
