"""Public reviews and the pro's reply (SPEC §18), through the handlers under moto."""

from __future__ import annotations

from tests.integration.booking_helpers import (act, at, book, code, make_pro, set_clock,
                                               signup_and_login, world)  # noqa: F401 (fixture)


def completed_and_reviewed(api, client, pro, slot_hours: int, rating: int, comment=None) -> str:
    """A booking at NOW + slot_hours, confirmed, completed and reviewed (the clock moves on)."""
    set_clock(api, at(slot_hours - 20), client, pro)
    booking_id = book(api, client, pro, slot=at(slot_hours)).body["id"]
    assert act(api, pro, booking_id, "confirm").status == 200
    set_clock(api, at(slot_hours + 2), client, pro)
    assert act(api, pro, booking_id, "complete").status == 200
    reply = act(api, client, booking_id, "review", {"rating": rating, **({"comment": comment} if comment else {})})
    assert reply.status == 201, reply.body
    return booking_id


def test_reviews_newest_first_paged_with_replies_and_deleted_clients(api, world):
    pro, first_client = world["pro"], world["client"]
    second_client = signup_and_login(api, "CLIENT")
    old = completed_and_reviewed(api, first_client, pro, 30, 4, "Bien")
    new = completed_and_reviewed(api, second_client, pro, 60, 5)
    # the pro replies to the older review, once
    reply = api.post(f"/pro/reviews/{old}/reply", {"text": "Merci !"}, token=pro.token)
    assert reply.status == 201, reply.body
    assert reply.body["text"] == "Merci !"
    again = api.post(f"/pro/reviews/{old}/reply", {"text": "Encore merci"}, token=pro.token)
    assert (again.status, code(again)) == (409, "ALREADY_REPLIED")
    # the first client deletes their account
    first_client.login(api)
    assert api.delete("/me", token=first_client.token).status in (200, 204)

    page = api.get(f"/pros/{pro.id}/reviews?limit=1")
    assert page.status == 200, page.body
    assert [(i["rating"], i["comment"], i["reply"]) for i in page.body["items"]] == [(5, None, None)]
    assert page.body["items"][0]["clientFirstName"] == "Prénom"
    assert page.body["items"][0]["createdAt"].startswith(at(62)[:16])  # the dev clock runs on
    rest = api.get(f"/pros/{pro.id}/reviews?limit=1&nextToken={page.body['nextToken']}")
    [older] = rest.body["items"]
    assert (older["rating"], older["comment"], older["clientFirstName"]) == (4, "Bien", "Client supprimé")
    assert older["reply"]["text"] == "Merci !" and older["reply"]["createdAt"]
    end = api.get(f"/pros/{pro.id}/reviews?limit=1&nextToken={rest.body['nextToken']}") \
        if rest.body["nextToken"] else None
    assert end is None or end.body == {"items": [], "nextToken": None}
    assert new


def test_reply_rules(api, world):
    pro, client = world["pro"], world["client"]
    other_pro = make_pro(api)
    booking_id = completed_and_reviewed(api, client, pro, 30, 3)
    other_pro.login(api)
    # another pro's review, an unknown booking → 404; a client → 403; blank or too long → 422
    assert api.post(f"/pro/reviews/{booking_id}/reply", {"text": "x"}, token=other_pro.token).status == 404
    assert api.post("/pro/reviews/nope/reply", {"text": "x"}, token=pro.token).status == 404
    assert api.post(f"/pro/reviews/{booking_id}/reply", {"text": "x"}, token=client.token).status == 403
    for text in ("", "   ", "x" * 1001):
        reply = api.post(f"/pro/reviews/{booking_id}/reply", {"text": text}, token=pro.token)
        assert (reply.status, code(reply)) == (422, "VALIDATION_ERROR"), text
    assert api.post(f"/pro/reviews/{booking_id}/reply", {"text": "x" * 1000}, token=pro.token).status == 201


def test_hidden_reviews_and_unknown_pros(api, world):
    from khadamat.dal.bookings import ReviewItem, booking_pk

    pro, client = world["pro"], world["client"]
    booking_id = completed_and_reviewed(api, client, pro, 30, 2)
    ReviewItem(booking_pk(booking_id), "REVIEW").update(actions=[ReviewItem.hidden.set(True)])
    assert api.get(f"/pros/{pro.id}/reviews").body == {"items": [], "nextToken": None}
    unknown = api.get("/pros/no-such-pro/reviews")
    assert (unknown.status, code(unknown)) == (404, "PRO_NOT_FOUND")
    assert api.get(f"/pros/{client.id}/reviews").status == 404
