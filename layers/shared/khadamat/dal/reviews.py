"""A pro's public reviews and replies (SPEC §18).

Keys: BOOKING#<id> / REVIEW (written by POST /bookings/{id}/review, dal.bookings) carries
GSI1 PROREVIEWS#<proId> / <createdAt>#<bookingId>, so a pro's reviews are one Query, newest
first. The pro's reply is two attributes of the review, set once (a conditional update).
"""

from __future__ import annotations

from datetime import datetime


from khadamat.dal.base import PageScope, decode_page_token, encode_page_token, get_or_none, conditionally
from khadamat.dal.bookings import PRO_REVIEWS_PREFIX, ReviewItem, booking_pk
from khadamat.domain.timeutil import to_storage


def public_reviews(pro_id: str, limit: int, next_token: str | None,
                   scope: PageScope) -> tuple[list[ReviewItem], str | None]:
    """One page of the pro's reviews not hidden by an admin, newest first (a page may hold
    fewer than ``limit`` when some are hidden; ``nextToken`` is then not null)."""
    shown = ReviewItem.hidden.does_not_exist() | (ReviewItem.hidden == False)  # noqa: E712
    result = ReviewItem.by_pro.query(f"{PRO_REVIEWS_PREFIX}{pro_id}", filter_condition=shown,
                                     scan_index_forward=False, limit=limit, page_size=limit,
                                     last_evaluated_key=decode_page_token(next_token, scope))
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)


def get_review(booking_id: str) -> ReviewItem | None:
    return get_or_none(ReviewItem, booking_pk(booking_id), "REVIEW")


def set_reply(booking_id: str, pro_id: str, text: str, now: datetime) -> bool:
    """The reply of the review's own pro, once; False when the condition failed (no such review
    of this pro, or already replied: the caller reads the review to tell which)."""
    condition = (ReviewItem.PK.exists() & (ReviewItem.pro_id == pro_id)
                 & ReviewItem.reply_text.does_not_exist())
    return conditionally(ReviewItem(booking_pk(booking_id), "REVIEW").update,
                         actions=[ReviewItem.reply_text.set(text), ReviewItem.reply_created_at.set(to_storage(now))],
                         condition=condition)
