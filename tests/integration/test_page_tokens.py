"""Page tokens (SPEC §1): signed, bound to their route, their caller and their query's filters.

Every paged listing goes through one codec (khadamat.dal.base encode/decode_page_token).
For each listing: normal paging works; a forged token, a real token altered, a token used
by another caller, with other filters or on another route → 400 BAD_REQUEST, and nothing
of it reaches DynamoDB as a start key.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from khadamat.dal.outbox import new_outbox_item
from khadamat.dal.users import UserItem, user_key
from tests.integration import pro_helpers
from tests.integration.booking_helpers import (SLOT, at, book, code, make_admin, make_pro,
                                               set_clock, signup_and_login)


@dataclass
class Listing:
    path: str            # first page, with its filters (limit=1 so that there is a next page)
    token: str | None    # the caller's access token (None: public)
    other_filters: str   # the same route with other filters
    other_caller: str | None  # another caller allowed on the route (None: public listing)


def _query(path: str, next_token: str) -> str:
    return f"{path}&nextToken={quote(next_token)}"


def _tampered(next_token: str) -> str:
    """The payload changed (another start key), the signature kept."""
    payload, signature = next_token.split(".")
    position = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    position["forged"] = {"S": "USER#someone-else"}
    raw = base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")
    return f"{raw}.{signature}"


def _inbox(user_id: str, n: int) -> None:
    new_outbox_item(type="BOOKING_REQUESTED", recipient_id=user_id, recipient_role="CLIENT",
                    channels=["INBOX"], booking_id=None, title="Nouvelle demande", body="…",
                    created_at=f"2026-12-01T0{n}:00:00.000000Z").save()


def _pending_kyc(pro_id: str, n: int) -> None:
    submitted = f"2026-11-30T0{n}:00:00.000000Z"
    UserItem(*user_key(pro_id)).update(actions=[
        UserItem.kyc_status.set("PENDING"), UserItem.kyc_submitted_at.set(submitted),
        UserItem.GSI3PK.set("KYC#PENDING"), UserItem.GSI3SK.set(f"{submitted}#{pro_id}")])


def _listings(api) -> dict[str, Listing]:
    set_clock(api)
    client, other_client = signup_and_login(api, "CLIENT"), signup_and_login(api, "CLIENT")
    pro, second_pro = make_pro(api), make_pro(api)
    admin, other_admin = make_admin(api), make_admin(api)
    bookings = [book(api, client, pro, slot=SLOT).body["id"],
                book(api, client, second_pro, slot=at(30)).body["id"]]
    for booking_id in bookings:
        filed = api.post(f"/bookings/{booking_id}/reports",
                         {"title": "Retard", "details": "Pas venu."}, token=client.token)
        assert filed.status == 201, filed.body
    for n in (1, 2):
        _inbox(client.id, n)
    _pending_kyc(pro.id, 1)
    _pending_kyc(second_pro.id, 2)
    for n in (901, 902):  # listed in discovery (services written through the use cases)
        pro_helpers.make_pro(n)
    return {
        "bookings": Listing("/bookings?limit=1", client.token, "/bookings?limit=1&status=PENDING",
                            other_client.token),
        "pros": Listing("/pros?cityId=casablanca&categoryId=plomberie&limit=1", None,
                        "/pros?cityId=casablanca&categoryId=plomberie&limit=1"
                        f"&timeSlot={quote(at(30))}", None),
        "admin kyc": Listing("/admin/kyc?status=PENDING&limit=1", admin.token,
                             "/admin/kyc?status=APPROVED&limit=1", other_admin.token),
        "admin reports": Listing("/admin/reports?limit=1", admin.token,
                                 "/admin/reports?status=OPEN&limit=1", other_admin.token),
        "notifications": Listing("/me/notifications?limit=1", client.token,
                                 "/me/notifications?limit=2", other_client.token),
    }


NAMES = ("bookings", "pros", "admin kyc", "admin reports", "notifications")


@pytest.fixture
def listings(api):
    return _listings(api)


def _bad_request(reply) -> bool:
    return reply.status == 400 and code(reply) == "BAD_REQUEST"


@pytest.mark.parametrize("name", NAMES)
def test_a_listing_honours_only_its_own_signed_tokens(api, listings, name):
    listing = listings[name]
    # normal paging: the token the listing returned gives the next page
    first = api.get(listing.path, token=listing.token)
    assert first.status == 200 and len(first.body["items"]) == 1 and first.body["nextToken"], first.body
    issued = first.body["nextToken"]
    second = api.get(_query(listing.path, issued), token=listing.token)
    assert second.status == 200 and len(second.body["items"]) == 1, second.body
    assert second.body["items"] != first.body["items"]
    # forged or altered → 400
    forged_key = base64.urlsafe_b64encode(json.dumps(
        {"PK": {"S": "USER#x"}, "SK": {"S": "NOTIF#"}}).encode()).decode()
    for bad in ("garbage", forged_key, f"{forged_key}.AAAA", _tampered(issued), issued[:-2],
                "%%%", "a.b.c"):
        assert _bad_request(api.get(_query(listing.path, bad), token=listing.token)), (name, bad)
    # other filters → 400 (the inbox has none: a page size is not a filter)
    other_filters = api.get(_query(listing.other_filters, issued), token=listing.token)
    assert other_filters.status == 200 if name == "notifications" else _bad_request(other_filters)
    # another caller → 400 (discovery is public: no caller to bind)
    if listing.other_caller:
        assert _bad_request(api.get(_query(listing.path, issued), token=listing.other_caller))


def test_a_token_used_on_another_route_is_400(api, listings):
    # Given the client's bookings token, When the same client pages their inbox with it
    bookings, notifications = listings["bookings"], listings["notifications"]
    issued = api.get(bookings.path, token=bookings.token).body["nextToken"]
    assert _bad_request(api.get(_query(notifications.path, issued), token=bookings.token))
    # and the admin's reports token on the KYC list (same admin)
    reports, kyc = listings["admin reports"], listings["admin kyc"]
    issued = api.get(reports.path, token=reports.token).body["nextToken"]
    assert _bad_request(api.get(_query(kyc.path, issued), token=reports.token))
