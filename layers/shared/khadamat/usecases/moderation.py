"""Review moderation (SPEC §17): an admin hides a review (comment and reply) from every
public read, or brings it back; the rating keeps counting it. Audited as REVIEW/<bookingId>."""

from __future__ import annotations

from datetime import datetime

from khadamat.dal import audit as audit_log
from khadamat.dal.bookings import ReviewItem
from khadamat.domain.errors import Conflict, NotFound
from khadamat.usecases import audit


def set_hidden(actor_id: str, booking_id: str, review: ReviewItem | None, hidden: bool,
               reason: str | None, now: datetime) -> None:
    """``review`` was read with the caller's account; the write is conditional on the state
    read then (the audit entry's ``before``), in one transaction with the entry."""
    if review is None:
        raise NotFound("this booking has no review")
    was_hidden = bool(review.hidden)
    entry = audit.entry(actor_id, "REVIEW_HIDE" if hidden else "REVIEW_UNHIDE", "REVIEW",
                        booking_id, now, reason=reason, before={"hidden": was_hidden},
                        after={"hidden": hidden})
    actions = [ReviewItem.hidden.set(True), ReviewItem.hidden_reason.set(reason)] if hidden else [
        ReviewItem.hidden.remove(), ReviewItem.hidden_reason.remove()]
    state = ReviewItem.hidden == True if was_hidden else ReviewItem.hidden.does_not_exist() | (  # noqa: E712
        ReviewItem.hidden == False)  # noqa: E712
    condition = ReviewItem.PK.exists() & state
    if not audit_log.update_with(ReviewItem(review.PK, review.SK), actions, condition, entry):
        raise Conflict("the review changed meanwhile; try again", "INVALID_TRANSITION")
