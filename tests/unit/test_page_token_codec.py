"""The one page-token codec (khadamat.dal.base): signed, bound to route, caller and filters."""

from __future__ import annotations

import pytest

from khadamat.dal.base import PageScope, decode_page_token, encode_page_token
from khadamat.domain.errors import BadRequest

POSITION = {"PK": {"S": "CLIENT#c1"}, "SK": {"S": "2026-12-01T10:00:00.000000Z#b1"}}
SCOPE = PageScope("GET /bookings", "c1", {"status": None})


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("PAGE_TOKEN_SECRET", "unit-test-secret")


def test_a_token_gives_back_its_position_in_its_own_scope():
    token = encode_page_token(POSITION, SCOPE)
    assert decode_page_token(token, PageScope("GET /bookings", "c1", {"status": None})) == POSITION
    assert encode_page_token(None, SCOPE) is None and encode_page_token({}, SCOPE) is None
    assert decode_page_token(None, SCOPE) is None and decode_page_token("", SCOPE) is None


@pytest.mark.parametrize("other", [PageScope("GET /me/notifications", "c1", {"status": None}),
                                   PageScope("GET /bookings", "c2", {"status": None}),
                                   PageScope("GET /bookings", None, {"status": None}),
                                   PageScope("GET /bookings", "c1", {"status": "PENDING"}),
                                   PageScope("GET /bookings", "c1", {})])
def test_another_route_caller_or_filter_is_refused(other):
    with pytest.raises(BadRequest):
        decode_page_token(encode_page_token(POSITION, SCOPE), other)


def test_forged_altered_or_other_key_tokens_are_refused(monkeypatch):
    token = encode_page_token(POSITION, SCOPE)
    payload, mac = token.split(".")
    other_payload = encode_page_token({"PK": {"S": "CLIENT#c2"}}, SCOPE).split(".")[0]
    for bad in ("garbage", payload, f"{other_payload}.{mac}", f"{payload}.{mac[:-2]}", "a.b.c", "%%.%%"):
        with pytest.raises(BadRequest):
            decode_page_token(bad, SCOPE)
    # a token signed with another secret (another deployment, or a rotated key)
    monkeypatch.setenv("PAGE_TOKEN_SECRET", "another-secret")
    with pytest.raises(BadRequest):
        decode_page_token(token, SCOPE)
