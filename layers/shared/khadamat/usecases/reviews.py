"""Reviews in public and the pro's reply (SPEC §18)."""

from __future__ import annotations

from datetime import datetime

from khadamat.dal import reviews as store
from khadamat.dal.base import PageScope, get_items
from khadamat.dal.users import UserItem, user_key
from khadamat.domain.accounts import UserStatus
from khadamat.domain.errors import Conflict, NotFound, Unprocessable
from khadamat.domain.timeutil import from_storage, to_local_iso
from khadamat.usecases.pros import MAX_ID_LENGTH, is_visible_pro

DELETED_CLIENT = "Client supprimé"
MAX_REPLY_LENGTH = 1000


def _local(stamp: str | None) -> str | None:
    return to_local_iso(from_storage(stamp)) if stamp else None


def _client_first_name(client: UserItem | None) -> str:
    if client is None or client.status == UserStatus.DELETED:
        return DELETED_CLIENT
    return client.first_name


def _review_view(review: store.ReviewItem, client: UserItem | None) -> dict:
    reply = ({"text": review.reply_text, "createdAt": _local(review.reply_created_at)}
             if review.reply_text else None)
    return {"rating": int(review.rating), "comment": review.comment,
            "clientFirstName": _client_first_name(client), "createdAt": _local(review.created_at),
            "reply": reply}


def public_reviews(pro_id: str, limit: int, next_token: str | None) -> dict:
    """Newest first. 2 round trips: the Query, then the pro and the page's clients in one
    BatchGetItem (names are read at render time: an erased client shows as « Client supprimé »)."""
    if len(pro_id) > MAX_ID_LENGTH:
        raise NotFound("no such pro", "PRO_NOT_FOUND")
    items, token = store.public_reviews(pro_id, limit, next_token,
                                        PageScope("GET /pros/{proId}/reviews", None, {"proId": pro_id}))
    client_ids = sorted({review.client_id for review in items})
    people = get_items([(UserItem, *user_key(pro_id)),
                        *((UserItem, *user_key(client_id)) for client_id in client_ids)])
    if not is_visible_pro(people[0]):
        raise NotFound("no such pro", "PRO_NOT_FOUND")
    clients = dict(zip(client_ids, people[1:]))
    return {"items": [_review_view(review, clients.get(review.client_id)) for review in items],
            "nextToken": token}


def reply(pro: UserItem, booking_id: str, text: str, now: datetime) -> dict:
    """The pro's one reply to a review of one of their bookings: 201; again → 409 ALREADY_REPLIED;
    a review that is not theirs (or none) → 404."""
    if not text.strip():
        raise Unprocessable("text must not be blank")
    if len(booking_id) > MAX_ID_LENGTH:
        raise NotFound("no such review")
    if not store.set_reply(booking_id, pro.user_id, text, now):
        review = store.get_review(booking_id)
        if review is None or review.pro_id != pro.user_id:
            raise NotFound("no such review")
        raise Conflict("this review already has a reply", "ALREADY_REPLIED")
    return {"bookingId": booking_id, "text": text, "createdAt": to_local_iso(now)}
